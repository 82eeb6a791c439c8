package wait_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/wait"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func objects(t *testing.T, ns string, docs ...string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, d := range docs {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(d), &u.Object); err != nil {
			t.Fatal(err)
		}
		if u.GetKind() != "CustomResourceDefinition" && u.GetKind() != "PersistentVolume" {
			u.SetNamespace(ns)
		}
		out = append(out, u)
	}
	return out
}

func client(t *testing.T, c *testcluster.Cluster) *kube.Client {
	t.Helper()
	k, err := kube.New(kube.Options{Kubeconfig: c.Kubeconfig(), Context: c.Context()})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// applyAndWait applies objs and waits for them, as a deploy's phase does.
func applyAndWait(t *testing.T, k *kube.Client, objs []*unstructured.Unstructured, timeout time.Duration) ([]wait.Outcome, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := apply.New(k, apply.Options{}).Apply(ctx, objs)
	if err != nil {
		t.Fatal(err)
	}
	live := make([]*unstructured.Unstructured, len(res))
	for i, r := range res {
		live[i] = r.Object
	}
	return wait.Wait(ctx, k, live, wait.Options{JobLogs: true})
}

const statefulSet = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: %s}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "registry.example/db:%s"}]}
`

func TestWaitKinds(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	tests := []struct {
		name string
		docs []string
	}{
		{"statefulset", []string{strings.NewReplacer("%s", "0").Replace(statefulSet)}},
		{"daemonset", []string{`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: registry.example/agent:v1}]}
`}},
		{"job", []string{`
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: once, image: registry.example/once:v1}]}
`}},
		{"crd", []string{`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.wait.kship.dev}
spec:
  group: wait.kship.dev
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`}},
		{"pvc bound to a static volume", []string{`
apiVersion: v1
kind: PersistentVolume
metadata: {name: wait-pv-%NS%}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath: {path: /tmp/wait-pv}
`, `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  resources: {requests: {storage: 1Gi}}
`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := c.Namespace(t)
			for i := range tt.docs {
				tt.docs[i] = strings.ReplaceAll(tt.docs[i], "%NS%", ns)
			}
			out, err := applyAndWait(t, k, objects(t, ns, tt.docs...), 60*time.Second)
			if err != nil {
				t.Fatalf("wait: %v (outcomes %+v)", err, out)
			}
			for _, o := range out {
				if o.Status != status.Current {
					t.Errorf("%s: %s: %s", o.Ref, o.Status, o.Message)
				}
			}
		})
	}
}

func TestWaitStatefulSetPartition(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	ns := c.Namespace(t)
	sts := func(partition, tag string) []*unstructured.Unstructured {
		return objects(t, ns, strings.NewReplacer("partition: %s", "partition: "+partition, "db:%s", "db:"+tag).Replace(statefulSet))
	}
	if _, err := applyAndWait(t, k, sts("0", "v1"), 60*time.Second); err != nil {
		t.Fatal(err)
	}
	// With partition 2 only ordinal 2 is updated; the rollout is done then.
	out, err := applyAndWait(t, k, sts("2", "v2"), 60*time.Second)
	if err != nil || out[0].Status != status.Current {
		t.Fatalf("partitioned rollout: %v %+v", err, out)
	}
}

func TestWaitJobFailureAndLogs(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	ns := c.Namespace(t)
	start := time.Now()
	out, err := applyAndWait(t, k, objects(t, ns, `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  backoffLimit: 0
  template:
    metadata: {annotations: {kwok.kship.dev/fail: "3"}}
    spec: {restartPolicy: Never, containers: [{name: migrate, image: registry.example/api:v1}]}
`), 60*time.Second)
	var failed *wait.FailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v, want a FailedError", err)
	}
	if out[0].Status != status.Failed || !strings.Contains(out[0].Message, "BackoffLimitExceeded") {
		t.Errorf("outcome %s: %s, want Failed with BackoffLimitExceeded", out[0].Status, out[0].Message)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("took %s to notice a failed Job", time.Since(start))
	}
	// The failed pod's container printed what every kwok container prints.
	want := cannedLog(t, "../../tools/cluster/logs/container.log")
	if len(out[0].Logs) != 1 {
		t.Fatalf("logs = %q, want the one container's", out[0].Logs)
	}
	for k, lines := range out[0].Logs {
		if !strings.HasPrefix(k, "migrate-") || !strings.HasSuffix(k, "/migrate") {
			t.Errorf("logs key %q, want POD/migrate of the Job's pod", k)
		}
		if diff := cmp.Diff(want, lines); diff != "" {
			t.Errorf("logs of %s (-want +got):\n%s", k, diff)
		}
	}
}

// cannedLog is the lines of a log file kwok serves for every container,
// without the CRI log format's time, stream and tag.
func cannedLog(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(l, " ", 4)
		if len(f) != 4 {
			t.Fatalf("%s: %q is not in the CRI log format", file, l)
		}
		lines = append(lines, f[3])
	}
	return lines
}

func TestWaitTimeoutExplainsNotReady(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	ns := c.Namespace(t)
	out, err := applyAndWait(t, k, objects(t, ns, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: slow}
spec:
  replicas: 1
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}, annotations: {kwok.kship.dev/never-ready: "true"}}
    spec: {containers: [{name: web, image: registry.example/web:v1}]}
`), 3*time.Second)
	if !errors.Is(err, wait.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if len(out[0].Problems) == 0 || out[0].Problems[0].Reason != "NotReady" || out[0].Problems[0].Container != "web" {
		t.Errorf("problems = %+v, want the container that is not ready", out[0].Problems)
	}
}
