package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// testCluster is one entry of an environment's clusters in a test's
// kship.yaml.
type testCluster struct {
	name string
	c    *testcluster.Cluster
	// extra are more fields of the entry, one per line ("images: [...]").
	extra []string
}

// twoClusters returns the two local clusters and a namespace, of the same
// name, in each: the app's kustomization puts its objects in one
// namespace.
func twoClusters(t *testing.T) (one, two *testcluster.Cluster, ns string) {
	t.Helper()
	one = testcluster.Require(t)
	two = testcluster.RequireSecond(t)
	ns = one.Namespace(t)
	two.NamespaceNamed(t, ns)
	return one, two, ns
}

// writeClusters lays the app out as write does, with a kship.yaml whose
// environment "test" deploys to each of clusters (each through its own
// kubeconfig), in namespace ns; rollout, when set, is its rollout.
func (a app) writeClusters(t *testing.T, dir, ns, rollout string, clusters ...testCluster) string {
	t.Helper()
	a.write(t, dir, "unused", ns)
	var b strings.Builder
	fmt.Fprintf(&b, "environments:\n  test:\n    overlay: app\n    namespace: %s\n", ns)
	if rollout != "" {
		fmt.Fprintf(&b, "    rollout: %s\n", rollout)
	}
	b.WriteString("    clusters:\n")
	for _, c := range clusters {
		fmt.Fprintf(&b, "    - name: %s\n      context: %s\n      kubeconfig: %s\n", c.name, c.c.Context(), c.c.Kubeconfig())
		for _, l := range c.extra {
			fmt.Fprintf(&b, "      %s\n", l)
		}
	}
	return writeFile(t, dir, "kship.yaml", b.String())
}

func kship(t *testing.T, args ...string) result {
	t.Helper()
	r := run(t, args...)
	t.Logf("kship %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// imageIn is the image of the api Deployment in c, "" when there is none.
func imageIn(t *testing.T, c *testcluster.Cluster, ns string) string {
	t.Helper()
	d, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return d.Spec.Template.Spec.Containers[0].Image
}

// failingImage makes a cluster's pods fail to pull their image.
const failingImage = "images: [api=registry.invalid/api:v2]"

// TestClustersSerial deploys one environment to two clusters, one after
// the other, each with its own inventory; when the first fails, the second
// is not attempted and keeps what it ran.
func TestClustersSerial(t *testing.T) {
	one, two, ns := twoClusters(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.writeClusters(t, dir, ns, "", testCluster{name: "old", c: one}, testCluster{name: "new", c: two})
	junitPath := filepath.Join(dir, "junit.xml")

	r := kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s", "--report", "junit="+junitPath)
	mustCode(t, r, 0)
	for _, c := range []*testcluster.Cluster{one, two} {
		if got := imageIn(t, c, ns); got != "registry.example/api:v1" {
			t.Errorf("image in %s = %q, want v1", c.Kubeconfig(), got)
		}
	}
	mustContain(t, "stdout", r.stdout, "cluster old (context kship-local):", "cluster new (context kship-local):", "CLUSTER", "ready")
	mustContain(t, "stderr", r.stderr, "[old] phase workloads: done", "[new] phase workloads: done", "deploying test/old", "deploying test/new")
	if strings.Index(r.stderr, "[new] phase") < strings.Index(r.stderr, "[old] phase workloads: done") {
		t.Error("the second cluster started before the first was done")
	}
	junitXML, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "junit", string(junitXML), `<testsuite name="test/old"`, `<testsuite name="test/new"`, `classname="kship.test.old.workloads"`)

	// The first cluster fails: the second keeps v1, and is said not attempted.
	cfg = app{Replicas: 1, NoJob: true, Tag: "v2"}.writeClusters(t, dir, ns, "",
		testCluster{name: "old", c: one, extra: []string{failingImage}}, testCluster{name: "new", c: two})
	r = kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s", "-o", "json")
	mustCode(t, r, 5)
	if got := imageIn(t, two, ns); got != "registry.example/api:v1" {
		t.Errorf("the second cluster was deployed to after the first failed: image %q", got)
	}
	var doc struct {
		Outcome  string
		Clusters []struct {
			Cluster, Outcome string
			Revision         int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if doc.Outcome != "not-ready" || len(doc.Clusters) != 2 || doc.Clusters[0].Outcome != "not-ready" || doc.Clusters[0].Revision != 2 ||
		doc.Clusters[1].Cluster != "new" || doc.Clusters[1].Outcome != "not-attempted" {
		t.Errorf("document = %+v; want old not-ready at revision 2, new not-attempted", doc)
	}
	mustContain(t, "stderr", r.stderr, "deploy test/old failed", "not attempted: test/new")
}

// TestClustersParallel deploys to both clusters at once: one failing does
// not stop the other, and the exit code is the failed one's.
func TestClustersParallel(t *testing.T) {
	one, two, ns := twoClusters(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.writeClusters(t, dir, ns, "parallel",
		testCluster{name: "a", c: one, extra: []string{failingImage}}, testCluster{name: "b", c: two})
	r := kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s")
	mustCode(t, r, 5)
	if got := imageIn(t, two, ns); got != "registry.example/api:v1" {
		t.Errorf("image in b = %q: the parallel rollout did not deploy b", got)
	}
	mustContain(t, "stderr", r.stderr, "deploy test/a failed", "ErrImagePull")
	mustContain(t, "stdout", r.stdout, "not-ready", "ready")
}

// TestClustersWrongSecondRefusesFirst refuses the whole deploy when the
// second cluster is not the one kship.yaml pins, before anything is
// written to the first.
func TestClustersWrongSecondRefusesFirst(t *testing.T) {
	one, two, ns := twoClusters(t)
	cfg := app{Replicas: 1, NoJob: true}.writeClusters(t, t.TempDir(), ns, "",
		testCluster{name: "old", c: one}, testCluster{name: "new", c: two, extra: []string{"clusterID: 00000000-0000-0000-0000-000000000000"}})
	r := kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s")
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, `refusing to deploy environment "test" to its cluster "new"`, "nothing was deployed to any cluster")
	if got := imageIn(t, one, ns); got != "" {
		t.Errorf("the first cluster was written to: image %q", got)
	}
	if _, err := one.Clientset().CoreV1().Secrets(ns).Get(context.Background(), "kship-test", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the first cluster has an inventory: %v", err)
	}
}

// TestClustersRollbackOnlyTheFailed rolls back the cluster whose rollout
// failed, and leaves the one that succeeded on the new revision.
func TestClustersRollbackOnlyTheFailed(t *testing.T) {
	one, two, ns := twoClusters(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.writeClusters(t, dir, ns, "", testCluster{name: "old", c: one}, testCluster{name: "new", c: two})
	mustCode(t, kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s"), 0)

	cfg = app{Replicas: 1, NoJob: true, Tag: "v2"}.writeClusters(t, dir, ns, "",
		testCluster{name: "old", c: one}, testCluster{name: "new", c: two, extra: []string{failingImage}})
	r := kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s", "--rollback-on-failure")
	mustCode(t, r, 5)
	if got := imageIn(t, one, ns); got != "registry.example/api:v2" {
		t.Errorf("image in old = %q, want v2 (it succeeded, and is not rolled back)", got)
	}
	if got := imageIn(t, two, ns); got != "registry.example/api:v1" {
		t.Errorf("image in new = %q, want v1 again (rolled back)", got)
	}
	mustContain(t, "stderr", r.stderr, "deploy test/new failed, and kship rolled back to revision 1")
	mustContain(t, "stdout", r.stdout, "rolled back to 1")

	// kship rollback, on one cluster by name, takes old back to v1 too.
	r = kship(t, "--config", cfg, "rollback", "test/old", "--timeout", "60s")
	mustCode(t, r, 0)
	if got := imageIn(t, one, ns); got != "registry.example/api:v1" {
		t.Errorf("image in old after rollback = %q, want v1", got)
	}
}

// TestClusterAddedLater adds a cluster to an environment: the next deploy
// brings it up to date, and leaves the first cluster's history going on.
// Removed again, the cluster keeps what was deployed to it, and kship says
// so.
func TestClusterAddedLater(t *testing.T) {
	one, two, ns := twoClusters(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.writeClusters(t, dir, ns, "", testCluster{name: "old", c: one})
	mustCode(t, kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s"), 0)

	cfg = app{Replicas: 1, NoJob: true}.writeClusters(t, dir, ns, "", testCluster{name: "old", c: one}, testCluster{name: "new", c: two})
	r := kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s", "-o", "json")
	mustCode(t, r, 0)
	var doc struct {
		Clusters []struct {
			Cluster  string
			Revision int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Clusters) != 2 || doc.Clusters[0].Revision != 2 || doc.Clusters[1].Revision != 1 {
		t.Errorf("revisions = %+v, want old at 2 and new at 1", doc.Clusters)
	}
	if got := imageIn(t, two, ns); got != "registry.example/api:v1" {
		t.Errorf("image in the added cluster = %q", got)
	}

	r = kship(t, "--config", cfg, "status", "test")
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "cluster old (context kship-local):", "cluster new (context kship-local):", "revision 2", "revision 1")

	// Removed from the list: new keeps its objects, and the deploy says so.
	cfg = app{Replicas: 1, NoJob: true, Tag: "v3"}.writeClusters(t, dir, ns, "", testCluster{name: "old", c: one})
	r = kship(t, "--config", cfg, "deploy", "test", "--timeout", "60s")
	mustCode(t, r, 0)
	if got := imageIn(t, two, ns); got != "registry.example/api:v1" {
		t.Errorf("the removed cluster was changed: image %q", got)
	}
	mustContain(t, "stderr", r.stderr, `cluster "new" is no longer listed`, "kship does not prune a cluster dropped from the list")
}

// TestClustersConcurrentDeploys runs two deploys of the same two-cluster
// environment at once: each cluster's lock makes them take turns, and both
// end ready.
func TestClustersConcurrentDeploys(t *testing.T) {
	one, two, ns := twoClusters(t)
	cfg := app{Replicas: 1, NoJob: true}.writeClusters(t, t.TempDir(), ns, "parallel", testCluster{name: "old", c: one}, testCluster{name: "new", c: two})
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = run(t, "--config", cfg, "deploy", "test", "--timeout", "60s", "--lock-holder", fmt.Sprint("run-", i))
		}()
	}
	wg.Wait()
	for i, r := range results {
		t.Logf("run %d: exit %d\nstdout:\n%s\nstderr:\n%s", i, r.code, r.stdout, r.stderr)
		mustCode(t, r, 0)
	}
	r := kship(t, "--config", cfg, "status", "test", "-o", "json")
	mustCode(t, r, 0)
	var doc struct {
		Clusters []struct {
			Status struct{ LastDeploy struct{ Revision int } }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for i, c := range doc.Clusters {
		if c.Status.LastDeploy.Revision != 2 {
			t.Errorf("cluster %d: last revision %d, want 2 (both deploys recorded, one after the other)", i, c.Status.LastDeploy.Revision)
		}
	}
}

// TestClustersOneKubeconfig deploys to two clusters whose contexts are in
// one kubeconfig, as `aws eks update-kubeconfig` leaves them, whatever its
// current context; --context needs --cluster.
func TestClustersOneKubeconfig(t *testing.T) {
	one, two, ns := twoClusters(t)
	dir := t.TempDir()
	merged := mergeKubeconfigs(t, dir, map[string]*testcluster.Cluster{"blue": one, "green": two})
	app{Replicas: 1, NoJob: true}.write(t, dir, "unused", ns)
	cfg := writeFile(t, dir, "kship.yaml", fmt.Sprintf(`environments:
  test:
    overlay: app
    namespace: %s
    clusters:
    - {name: blue, context: blue}
    - {name: green, context: green}
`, ns))
	r := kship(t, "--config", cfg, "deploy", "test", "--kubeconfig", merged, "--timeout", "60s", "--context", "blue")
	mustCode(t, r, 2)
	mustContain(t, "stderr", r.stderr, "--context needs --cluster")

	r = kship(t, "--config", cfg, "deploy", "test", "--kubeconfig", merged, "--timeout", "60s", "--cluster", "green")
	mustCode(t, r, 0)
	if imageIn(t, one, ns) != "" || imageIn(t, two, ns) == "" {
		t.Error("--cluster green did not deploy to green alone")
	}
	r = kship(t, "--config", cfg, "deploy", "test", "--kubeconfig", merged, "--timeout", "60s")
	mustCode(t, r, 0)
	if imageIn(t, one, ns) == "" {
		t.Error("blue was not deployed to")
	}
	r = kship(t, "--config", cfg, "diff", "test", "--kubeconfig", merged)
	mustCode(t, r, 0)
	r = kship(t, "--config", cfg, "unlock", "test", "--kubeconfig", merged)
	mustCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "test/blue was not locked", "test/green was not locked")
}

// mergeKubeconfigs writes one kubeconfig holding each cluster's admin
// context under the given name; its current context is none of them.
func mergeKubeconfigs(t *testing.T, dir string, clusters map[string]*testcluster.Cluster) string {
	t.Helper()
	merged := clientcmdapi.NewConfig()
	for name, c := range clusters {
		raw, err := clientcmd.LoadFromFile(c.Kubeconfig())
		if err != nil {
			t.Fatal(err)
		}
		ctx := raw.Contexts[c.Context()]
		merged.Clusters[name] = raw.Clusters[ctx.Cluster]
		merged.AuthInfos[name] = raw.AuthInfos[ctx.AuthInfo]
		copied := *ctx
		copied.Cluster, copied.AuthInfo = name, name
		merged.Contexts[name] = &copied
	}
	merged.CurrentContext = ""
	path := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*merged, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestClustersRefusedSelections refuses, before any cluster is reached,
// clusters that kship.yaml does not list and commands that work in one
// cluster without one picked.
func TestClustersRefusedSelections(t *testing.T) {
	dir := t.TempDir()
	app{NoJob: true}.write(t, dir, "unused", "shop")
	cfg := writeFile(t, dir, "kship.yaml", `environments:
  prod:
    overlay: app
    namespace: shop
    clusters:
    - {name: old, context: nowhere-old}
    - {name: new, context: nowhere-new}
  stage: {overlay: app, context: stage, namespace: shop}
`)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "prod", "--cluster", "osaka"}, `environment "prod" has no cluster "osaka": its clusters are old, new`},
		{[]string{"status", "prod/osaka"}, `environment "prod" has no cluster "osaka"`},
		{[]string{"diff", "prod", "--context", "nowhere-old"}, "prod deploys to 2 clusters (old, new), each with its own context: --context needs --cluster"},
		{[]string{"deploy", "stage", "--cluster", "old"}, `environment "stage" deploys to one cluster (context "stage")`},
		{[]string{"logs", "prod"}, "prod deploys to clusters old, new: pick one with --cluster NAME, or give prod/NAME"},
		{[]string{"exec", "prod", "--", "true"}, "pick one with --cluster NAME"},
		{[]string{"delete", "prod", "--yes"}, "pick one with --cluster NAME"},
		{[]string{"rollback", "prod", "--to-revision", "2"}, "--to-revision names a revision of one cluster's history"},
		{[]string{"status", "prod/old", "--cluster", "new"}, `prod/old already names cluster "old"`},
		{[]string{"build", "prod/osaka"}, `environment "prod" has no cluster "osaka": its clusters are old, new`},
	}
	for _, tt := range tests {
		r := run(t, append([]string{"--config", cfg}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("kship %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
	r := run(t, "--config", cfg, "envs")
	mustCode(t, r, 0)
	mustContain(t, "envs", r.stdout, "old=nowhere-old,new=nowhere-new")
	r = run(t, "--config", cfg, "deploy", "prod/old", "--validate=false", "-o", "json")
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, `kube context "nowhere-old"`, "nothing was deployed to any cluster of prod")
	mustContain(t, "stdout", r.stdout, `"cluster": "old"`, `"outcome": "apply-failed"`)
}
