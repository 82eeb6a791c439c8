package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/report"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
)

// The first deploy creates the environment's namespace (to hold its lock
// and inventory) before its first phase: the namespace is reported as
// created, not configured.
func TestFirstDeployReportsTheNamespaceCreated(t *testing.T) {
	c := testcluster.Require(t)
	ns := "t-fresh-" + suffix(t)
	t.Cleanup(func() {
		_ = c.Clientset().CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	dir := t.TempDir()
	writeFile(t, dir, "app/objects.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n")
	writeFile(t, dir, "app/kustomization.yaml", "resources: [objects.yaml]\n")
	cfg := envConfig(t, dir, "app", c.Context(), ns)
	r := deployEnv(t, c, cfg, "-o", "json")
	mustCode(t, r, 0)
	var doc report.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, o := range doc.Objects {
		if o.Ref.Kind == "Namespace" && o.Action != "created" {
			t.Errorf("Namespace/%s is %s on the deploy that created it", ns, o.Action)
		}
	}
}

// A migration Job's logs are shown by the deploy that ran it, not by every
// later deploy that leaves it unchanged.
func TestMigrationLogsOnlyWhenItRan(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{}.write(t, t.TempDir(), c.Context(), ns)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "logs of migrate-")
	r = deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	if strings.Contains(r.stdout, "logs of") {
		t.Errorf("a deploy that did not run the migration shows its logs again:\n%s", r.stdout)
	}
}

// Each object that cannot be applied says why on its own row.
func TestEachRowCarriesItsOwnError(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := configMaps(t, dir, c.Context(), ns, 1, "x",
		"---\napiVersion: one.kship.test/v1\nkind: First\nmetadata: {name: a}\n---\napiVersion: two.kship.test/v2\nkind: Second\nmetadata: {name: b}\n")
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 4)
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "First/") && !strings.Contains(line, "one.kship.test") {
			t.Errorf("First's row does not name its own kind: %s", line)
		}
		if strings.HasPrefix(line, "Second/") && !strings.Contains(line, "two.kship.test") {
			t.Errorf("Second's row does not name its own kind: %s", line)
		}
	}
	if configMapExists(t, c, ns, "cm-000") {
		t.Error("objects were applied though others could not be")
	}
}

// A diff whose namespace neither exists nor is created by the build says
// so once, instead of "no changes" and an error per object.
func TestDiffOfAMissingNamespace(t *testing.T) {
	c := testcluster.Require(t)
	ns := "t-missing-" + suffix(t)
	dir := t.TempDir()
	cfg := configMaps(t, dir, c.Context(), ns, 3, "x", "")
	r := run(t, "--config", cfg, "diff", "test", "--kubeconfig", c.Kubeconfig())
	t.Logf("diff: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "namespace "+ns+" does not exist")
	if strings.Count(r.stderr, ns) > 2 || strings.Contains(r.stdout, "no changes") {
		t.Errorf("want one error, not one per object or \"no changes\":\n%s%s", r.stdout, r.stderr)
	}
}

// A bare directory deploys to the kube context's namespace, as kubectl does.
func TestBareDirectoryUsesTheContextsNamespace(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	kc, err := clientcmd.LoadFromFile(c.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	kc.Contexts[c.Context()].Namespace = ns
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "kustomization.yaml", "resources: [cm.yaml]\n")
	writeFile(t, dir, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bare}\ndata: {k: v}\n")
	r := run(t, "deploy", dir, "--kubeconfig", path, "--context", c.Context(), "--timeout", "60s")
	t.Logf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	mustCode(t, r, 0)
	if !configMapExists(t, c, ns, "bare") {
		t.Errorf("ConfigMap bare is not in the context's namespace %s", ns)
	}
}

// A dry run that meets a cluster error exits 4, as a deploy would.
func TestDryRunClusterErrorExits4(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	// A Secret of the inventory's name that is not an inventory.
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "kship-test", Namespace: ns}}
	if _, err := c.Clientset().CoreV1().Secrets(ns).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := configMaps(t, t.TempDir(), c.Context(), ns, 1, "x", "")
	r := deployEnv(t, c, cfg, "--dry-run")
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "is not kship's inventory")
}

// -o json prints a document whatever ends the deploy.
func TestJSONOnEarlyEndings(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := configMaps(t, dir, c.Context(), ns, 1, "x", "")
	writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: "+c.Context()+", namespace: "+ns+", branches: [main]}\n"+
		"  other: {overlay: app, context: no-such-context, namespace: "+ns+"}\n")
	for _, tt := range []struct {
		name    string
		args    []string
		code    int
		outcome string
	}{
		{"an unmapped branch", []string{"deploy", "--branch", "feature/x"}, 0, "nothing-to-do"},
		{"the guard", []string{"deploy", "other"}, 4, "apply-failed"},
		{"an unknown environment", []string{"deploy", "nope"}, 2, "usage-error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, append([]string{"--config", cfg}, append(tt.args, "--kubeconfig", c.Kubeconfig(), "-o", "json")...)...)
			t.Logf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			mustCode(t, r, tt.code)
			var doc report.Document
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("no JSON document: %v", err)
			}
			if doc.Outcome != tt.outcome || (tt.code != 0 && doc.Error == "") {
				t.Errorf("outcome %q error %q, want %q with an error", doc.Outcome, doc.Error, tt.outcome)
			}
		})
	}
}

// After a failed migration, the automatic rollback does not run the
// previous release's migration: no workload changed that would need it.
func TestRollbackAfterAFailedMigrationDoesNotRerunTheOldOne(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{Tag: "v1"}.write(t, dir, c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	app{Tag: "v2", JobAnnots: map[string]string{testcluster.AnnotationFail: "1"}}.write(t, dir, c.Context(), ns)
	r := deployEnv(t, c, cfg, "--rollback-on-failure")
	mustCode(t, r, 5)
	mustContain(t, "stderr", r.stderr, "rolled back to revision 1")
	job, err := c.Clientset().BatchV1().Jobs(ns).Get(context.Background(), "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := job.Spec.Template.Spec.Containers[0].Image; img != "registry.example/api:v2" {
		t.Errorf("the migration Job runs %s after the rollback: the old migration ran again", img)
	}
	time.Sleep(100 * time.Millisecond)
	d, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "registry.example/api:v1" {
		t.Errorf("the Deployment runs %s, want v1 as before", img)
	}
}

// Moving an environment to another namespace is refused, before any write,
// while an inventory of it is in the old one, unless --allow-move.
func TestEnvironmentMovedToAnotherNamespace(t *testing.T) {
	c := testcluster.Require(t)
	old, fresh := c.Namespace(t), c.Namespace(t)
	dir := t.TempDir()
	writeFile(t, dir, "app/kustomization.yaml", "resources: [cm.yaml]\n")
	writeFile(t, dir, "app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {k: v}\n")
	cfg := envConfig(t, dir, "app", c.Context(), old)
	mustCode(t, deployEnv(t, c, cfg), 0)
	cfg = envConfig(t, dir, "app", c.Context(), fresh)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "namespace "+old, "--allow-move", "kship-test -n "+old)
	if configMapExists(t, c, fresh, "settings") {
		t.Error("the refused deploy wrote to the new namespace")
	}
	mustCode(t, deployEnv(t, c, cfg, "--allow-move"), 0)
	if !configMapExists(t, c, fresh, "settings") {
		t.Error("--allow-move did not deploy")
	}
}
