package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// scaleAs sets the Deployment's replicas through the scale subresource as
// the HPA controller does, with its field manager.
func scaleAs(t *testing.T, c *testcluster.Cluster, ns string, replicas int32) {
	t.Helper()
	s := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: replicas}}
	if _, err := c.Clientset().AppsV1().Deployments(ns).UpdateScale(context.Background(), "api", s, metav1.UpdateOptions{FieldManager: "kube-controller-manager"}); err != nil {
		t.Fatal(err)
	}
}

func replicasOf(t *testing.T, c *testcluster.Cluster, ns string) int32 {
	t.Helper()
	d, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return *d.Spec.Replicas
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Once the HPA has scaled the Deployment, deploys keep its count: no
// conflict on spec.replicas, no reset to the manifest's 3, and diff shows
// the Deployment.
func TestAutoscaledDeploymentKeepsTheHPACount(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := corpus(t, "autoscaled", nil)
	cfg := envConfig(t, dir, "overlays/prod", c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	if got := replicasOf(t, c, ns); got != 3 {
		t.Fatalf("replicas after the first deploy = %d, want the manifest's 3", got)
	}
	scaleAs(t, c, ns, 5) // traffic: the HPA scales up

	editFile(t, filepath.Join(dir, "overlays/prod/kustomization.yaml"), "LOG_LEVEL=warn", "LOG_LEVEL=error")
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	if got := replicasOf(t, c, ns); got != 5 {
		t.Errorf("replicas after a config deploy = %d, want the HPA's 5", got)
	}
	r = run(t, "--config", cfg, "diff", "test", "--kubeconfig", c.Kubeconfig())
	t.Logf("diff: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	if r.code != 0 {
		t.Errorf("diff after the deploy: exit %d, want 0 (no changes)", r.code)
	}
	if strings.Contains(r.stdout, "replicas") {
		t.Errorf("diff shows a replicas change the deploy would not make:\n%s", r.stdout)
	}
}

// An HPA added to an app that kship deployed with a replica count takes the
// count over without the Deployment being reset to 1 in between.
func TestHPAAddedToAnExistingDeployment(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := corpus(t, "autoscaled", nil)
	base := filepath.Join(dir, "base/kustomization.yaml")
	editFile(t, base, "hpa.yaml, ", "")
	editFile(t, filepath.Join(dir, "base/deployment.yaml"), "replicas: 1", "replicas: 4")
	cfg := envConfig(t, dir, "overlays/stage", c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)

	editFile(t, base, "resources: [", "resources: [hpa.yaml, ")
	editFile(t, filepath.Join(dir, "base/hpa.yaml"), "maxReplicas: 3", "maxReplicas: 8")
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	d, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Spec.Replicas != 4 {
		t.Errorf("replicas = %d after the HPA arrived, want 4 kept", *d.Spec.Replicas)
	}
	for _, f := range d.ManagedFields {
		if f.Manager == "kship" && strings.Contains(string(f.FieldsV1.Raw), `"f:replicas"`) {
			t.Errorf("kship still owns spec.replicas: %s", f.FieldsV1.Raw)
		}
	}
}

// When no autoscaler targets a workload any more but its controller still
// owns spec.replicas, the deploy stops before any write (the migration does
// not run), naming the controller and what to do.
func TestControllerOwnedReplicasRefusedBeforeTheMigration(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := corpus(t, "autoscaled", nil)
	cfg := envConfig(t, dir, "overlays/prod", c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	scaleAs(t, c, ns, 5)

	job, err := c.Clientset().BatchV1().Jobs(ns).Get(context.Background(), "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The HPA leaves the build (the deploy would prune it), and the config
	// changes, so the migration would run again.
	editFile(t, filepath.Join(dir, "base/kustomization.yaml"), "hpa.yaml, ", "")
	writeFile(t, dir, "overlays/prod/kustomization.yaml", `resources: [../../base]
configMapGenerator:
  - {name: api-config, behavior: merge, literals: [LOG_LEVEL=debug]}
patches:
  - target: {kind: Deployment, name: api}
    patch: |
      - {op: replace, path: /spec/replicas, value: 3}
`)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "kube-controller-manager", ".spec.replicas", "controller", "Remove the fields from the manifest")
	after, err := c.Clientset().BatchV1().Jobs(ns).Get(context.Background(), "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.UID != job.UID {
		t.Error("the migration Job was recreated for a release that could not be applied")
	}
	if got := replicasOf(t, c, ns); got != 5 {
		t.Errorf("replicas = %d, want 5 untouched", got)
	}
}
