package wait_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/wait"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// apiDeployment reads LOG_LEVEL from the ConfigMap api-config, as env or as
// a mounted file.
const apiDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: registry.example/api:v1
        env: [{name: LOG_LEVEL, valueFrom: {configMapKeyRef: {name: api-config, key: LOG_LEVEL}}}]
`

const apiConfig = `
apiVersion: v1
kind: ConfigMap
metadata: {name: api-config}
data: {LOG_LEVEL: info}
`

// TestWaitMissingConfigMapFailsFast: a Deployment whose pods read a
// ConfigMap that does not exist fails at once with the kubelet's
// CreateContainerConfigError, not at the timeout; once the ConfigMap
// exists, the same Deployment rolls out.
func TestWaitMissingConfigMapFailsFast(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	ns := c.Namespace(t)
	start := time.Now()
	out, err := applyAndWait(t, k, objects(t, ns, apiDeployment), 60*time.Second)
	var failed *wait.FailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v, want a FailedError (outcomes %+v)", err, out)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %s to notice the missing ConfigMap", took)
	}
	ps := out[0].Problems
	if out[0].Status != status.Failed || len(ps) == 0 || ps[0].Reason != "CreateContainerConfigError" ||
		ps[0].Container != "api" || ps[0].Message != `configmap "api-config" not found` || !ps[0].Fatal {
		t.Fatalf("outcome %s: %s, problems %+v; want Failed, container api: CreateContainerConfigError: configmap \"api-config\" not found",
			out[0].Status, out[0].Message, ps)
	}

	// The kubelet retries: once the ConfigMap exists the same pods start
	// and the Deployment rolls out, with no change to it.
	if _, err := applyAndWait(t, k, objects(t, ns, apiConfig), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	eventuallyCurrent(t, k, ns, "deployments", "api")
}

// eventuallyCurrent polls the object until status.Compute says Current.
func eventuallyCurrent(t *testing.T, k *kube.Client, ns, resource, name string) {
	t.Helper()
	gvr := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: resource}
	deadline := time.Now().Add(30 * time.Second)
	var last status.Result
	for time.Now().Before(deadline) {
		live, err := k.Dynamic.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if last = status.Compute(live); last.Status == status.Current {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s/%s did not become Current: %s: %s", resource, name, last.Status, last.Message)
}

// TestWaitMissingConfigMapKey: the ConfigMap exists but lacks the key.
func TestWaitMissingConfigMapKey(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	ns := c.Namespace(t)
	noKey := strings.Replace(apiConfig, "LOG_LEVEL: info", "ENV: stage", 1)
	out, err := applyAndWait(t, k, objects(t, ns, noKey, apiDeployment), 60*time.Second)
	want := "couldn't find key LOG_LEVEL in ConfigMap " + ns + "/api-config"
	if !errors.As(err, new(*wait.FailedError)) || len(out[1].Problems) == 0 || out[1].Problems[0].Message != want {
		t.Fatalf("err %v, outcome %+v; want a failure saying %q", err, out, want)
	}
}

// TestWaitMissingVolumeExplainedAtTimeout: a ConfigMap mounted as a volume
// keeps the pods ContainerCreating. A kubelet retries the mount, so kship
// waits, and at the timeout names the FailedMount.
func TestWaitMissingVolumeExplainedAtTimeout(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	ns := c.Namespace(t)
	mounted := strings.Replace(apiDeployment,
		`        env: [{name: LOG_LEVEL, valueFrom: {configMapKeyRef: {name: api-config, key: LOG_LEVEL}}}]`,
		`        volumeMounts: [{name: config, mountPath: /etc/api}]
      volumes: [{name: config, configMap: {name: api-config}}]`, 1)
	out, err := applyAndWait(t, k, objects(t, ns, mounted), 4*time.Second)
	if !errors.Is(err, wait.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout (outcomes %+v)", err, out)
	}
	want := `MountVolume.SetUp failed for volume "config" : configmap "api-config" not found`
	ps := out[0].Problems
	if len(ps) == 0 || ps[0].Reason != "FailedMount" || ps[0].Message != want || ps[0].Fatal {
		t.Fatalf("problems %+v, want FailedMount: %s", ps, want)
	}

	out, err = applyAndWait(t, k, append(objects(t, ns, apiConfig), objects(t, ns, mounted)...), 60*time.Second)
	if err != nil || out[1].Status != status.Current {
		t.Fatalf("after the ConfigMap appeared: %v %+v", err, out)
	}
}
