package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// app describes the test tree: a ConfigMap generator, a pre-deploy
// migration Job and a Deployment, in one namespace.
type app struct {
	Env          string            // ENV literal in the generated ConfigMap
	Tag          string            // image tag
	Image        string            // image name, default registry.example/api
	Replicas     int               // default 2
	PodAnnots    map[string]string // on the Deployment's pod template
	JobAnnots    map[string]string // on the Job's pod template
	CPU          string            // the Deployment's CPU request, default 10m
	NoJob        bool
	ProbeSeconds int
}

func annotations(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%q: %q", k, v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// write lays the tree out in dir with a kship.yaml whose environment "test"
// deploys to ns through context; it returns the kship.yaml path.
func (a app) write(t *testing.T, dir, context, ns string) string {
	t.Helper()
	if a.Image == "" {
		a.Image = "registry.example/api"
	}
	if a.Tag == "" {
		a.Tag = "v1"
	}
	if a.Replicas == 0 {
		a.Replicas = 2
	}
	if a.CPU == "" {
		a.CPU = "10m"
	}
	if a.Env == "" {
		a.Env = "test"
	}
	resources := "[deployment.yaml, service.yaml, job.yaml]"
	if a.NoJob {
		resources = "[deployment.yaml, service.yaml]"
	}
	writeFile(t, dir, "app/kustomization.yaml", fmt.Sprintf(`namespace: %s
resources: %s
configMapGenerator:
- name: api-config
  literals: [ENV=%s]
images:
- name: api
  newName: %s
  newTag: %s
`, ns, resources, a.Env, a.Image, a.Tag))
	writeFile(t, dir, "app/deployment.yaml", fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: %d
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations: %s
    spec:
      containers:
      - name: api
        image: api
        envFrom: [{configMapRef: {name: api-config}}]
        resources: {requests: {cpu: %s, memory: 16Mi}}
`, a.Replicas, annotations(a.PodAnnots), a.CPU))
	writeFile(t, dir, "app/service.yaml", `apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
`)
	writeFile(t, dir, "app/job.yaml", fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {kship.dev/phase: pre-deploy}
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations: %s
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: api
        command: [bin/rails, db:migrate]
        envFrom: [{configMapRef: {name: api-config}}]
`, annotations(a.JobAnnots)))
	return writeFile(t, dir, "kship.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: %s\n    namespace: %s\n", context, ns))
}

// deployEnv runs `kship deploy test` against the test cluster.
func deployEnv(t *testing.T, c *testcluster.Cluster, cfg string, extra ...string) result {
	t.Helper()
	args := append([]string{"--config", cfg, "deploy", "test", "--kubeconfig", c.Kubeconfig(), "--timeout", "60s"}, extra...)
	r := run(t, args...)
	t.Logf("kship %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

func mustCode(t *testing.T, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code = %d, want %d", r.code, want)
	}
}

func mustContain(t *testing.T, where, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q", where, w)
		}
	}
}

// versions returns the resourceVersion of every object kship manages in ns.
func versions(t *testing.T, c *testcluster.Cluster, ns string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs := c.Clientset()
	out := map[string]string{}
	cms, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range cms.Items {
		if o.Name != "kube-root-ca.crt" {
			out["cm/"+o.Name] = o.ResourceVersion
		}
	}
	if d, err := cs.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{}); err == nil {
		out["deploy/api"] = d.ResourceVersion
	}
	if s, err := cs.CoreV1().Services(ns).Get(ctx, "api", metav1.GetOptions{}); err == nil {
		out["svc/api"] = s.ResourceVersion
	}
	if j, err := cs.BatchV1().Jobs(ns).Get(ctx, "migrate", metav1.GetOptions{}); err == nil {
		out["job/migrate"] = j.ResourceVersion
	}
	return out
}

func deploymentExists(t *testing.T, c *testcluster.Cluster, ns string) bool {
	t.Helper()
	_, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// handEditReplicas sets the Deployment's replicas as another field manager,
// "hand-edit", would: the next apply of spec.replicas conflicts.
func handEditReplicas(t *testing.T, c *testcluster.Cluster, ns string) {
	t.Helper()
	patch := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"},"spec":{"replicas":3}}`)
	force := true
	_, err := c.Clientset().AppsV1().Deployments(ns).Patch(context.Background(), "api", types.ApplyPatchType, patch,
		metav1.PatchOptions{FieldManager: "hand-edit", Force: &force})
	if err != nil {
		t.Fatal(err)
	}
}
