package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// deleteEnv runs `kship delete test` against the test cluster.
func deleteEnv(t *testing.T, c *testcluster.Cluster, cfg string, extra ...string) result {
	t.Helper()
	args := append([]string{"--config", cfg, "delete", "test", "--kubeconfig", c.Kubeconfig(), "--timeout", "60s"}, extra...)
	r := run(t, args...)
	t.Logf("kship %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// TestDeleteEnvironment deploys the test app, lists what a delete would
// remove (in the reverse of the deploy's phases), refuses without --yes
// where nobody can be asked, then deletes it all: members, inventory,
// saved revisions and lock. The namespace, which kship did not create, stays.
func TestDeleteEnvironment(t *testing.T) {
	t.Setenv("CI", "") // the refusal below is the laptop's: no terminal
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{Replicas: 1}.write(t, t.TempDir(), testcluster.ContextName, ns)
	mustCode(t, deployEnv(t, c, cfg), 0)

	dry := deleteEnv(t, c, cfg, "--dry-run")
	mustCode(t, dry, 0)
	order := []string{"would delete Deployment/" + ns + "/api", "would delete Job/" + ns + "/migrate", "would delete ConfigMap/" + ns + "/api-config-", "the inventory secrets/kship-test -n " + ns}
	last := -1
	for _, o := range order {
		i := strings.Index(dry.stdout, o)
		if i < 0 || i < last {
			t.Fatalf("dry run lacks %q, or lists it out of order:\n%s", o, dry.stdout)
		}
		last = i
	}
	if !deploymentExists(t, c, ns) {
		t.Fatal("the dry run deleted the Deployment")
	}

	refused := deleteEnv(t, c, cfg)
	mustCode(t, refused, 2)
	mustContain(t, "stderr", refused.stderr, "not a terminal", "--yes")
	if !deploymentExists(t, c, ns) {
		t.Fatal("a refused delete deleted the Deployment")
	}

	r := deleteEnv(t, c, cfg, "--yes")
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "deleted Deployment/"+ns+"/api", "deleted Service/"+ns+"/api")
	if deploymentExists(t, c, ns) {
		t.Error("the Deployment is still there")
	}
	if left := versions(t, c, ns); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	ctx := context.Background()
	secrets, err := c.Clientset().CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets.Items {
		t.Errorf("Secret %s is still there", s.Name)
	}
	if _, err := c.Clientset().CoordinationV1().Leases(ns).Get(ctx, "kship-lock-test", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the lock Lease: %v, want it gone", err)
	}
	if _, err := c.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
		t.Errorf("namespace %s, which kship did not create, is gone: %v", ns, err)
	}
	again := deleteEnv(t, c, cfg, "--yes")
	mustCode(t, again, 0)
	mustContain(t, "stderr", again.stderr, "kship manages nothing in test")
}

// TestDeleteKeepsANamespaceWithOtherObjects deletes two environments whose
// builds create their namespace: the one that holds a ConfigMap kship does
// not manage is kept, naming it; the other goes.
func TestDeleteKeepsANamespaceWithOtherObjects(t *testing.T) {
	c := testcluster.Require(t)
	ctx := context.Background()
	for _, keep := range []bool{true, false} {
		t.Run(fmt.Sprintf("other objects %v", keep), func(t *testing.T) {
			ns := "t-delete-" + suffix(t)
			t.Cleanup(func() { _ = c.Clientset().CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}) })
			dir := t.TempDir()
			cfg := app{Replicas: 1, NoJob: true}.write(t, dir, testcluster.ContextName, ns)
			writeFile(t, dir, "app/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n")
			writeFile(t, dir, "app/kustomization.yaml", strings.Replace(readFile(t, filepath.Join(dir, "app/kustomization.yaml")), "resources: [", "resources: [namespace.yaml, ", 1))
			mustCode(t, deployEnv(t, c, cfg), 0)
			if keep {
				cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "hand-made", Namespace: ns}}
				if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			r := deleteEnv(t, c, cfg, "--yes")
			mustCode(t, r, 0)
			_, err := c.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
			if keep {
				mustContain(t, "stdout", r.stdout, "kept Namespace/"+ns, "ConfigMap/"+ns+"/hand-made")
				if err != nil {
					t.Errorf("namespace %s: %v, want it kept", ns, err)
				}
			} else if !apierrors.IsNotFound(err) {
				t.Errorf("namespace %s: %v, want it deleted", ns, err)
			}
		})
	}
}

// TestDeleteRefuses checks the refusals that come before the cluster is
// touched: a production environment or CI without --yes, and the wrong
// kube context.
func TestDeleteRefuses(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.write(t, dir, testcluster.ContextName, ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	prod := writeFile(t, dir, "prod.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: %s\n    namespace: %s\n    production: true\n", testcluster.ContextName, ns))
	other := writeFile(t, dir, "other.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: elsewhere\n    namespace: %s\n", ns))

	r := deleteEnv(t, c, prod)
	mustCode(t, r, 2)
	mustContain(t, "stderr", r.stderr, "production environment", "--yes")

	r = deleteEnv(t, c, other, "--yes")
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, `kube context "elsewhere"`)

	t.Setenv("CI", "true")
	r = deleteEnv(t, c, cfg)
	mustCode(t, r, 2)
	mustContain(t, "stderr", r.stderr, "in CI without --yes")
	if !deploymentExists(t, c, ns) {
		t.Error("a refused delete deleted the Deployment")
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDeleteConfirmsAtATerminal asks for the environment's name at a
// terminal: another answer deletes nothing, the name deletes.
func TestDeleteConfirmsAtATerminal(t *testing.T) {
	t.Setenv("CI", "") // at a laptop's terminal, not in CI
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{Replicas: 1, NoJob: true}.write(t, t.TempDir(), testcluster.ContextName, ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	for _, answer := range []string{"prod", "test"} {
		master, slave := openPTY(t)
		if _, err := master.WriteString(answer + "\n"); err != nil {
			t.Fatal(err)
		}
		var out, errb strings.Builder
		code := Run(context.Background(), []string{"kship", "--config", cfg, "delete", "test", "--kubeconfig", c.Kubeconfig()}, slave, &out, &errb)
		slave.Close()
		master.Close()
		t.Logf("answer %q: exit %d\nstdout:\n%s\nstderr:\n%s", answer, code, out.String(), errb.String())
		if !strings.Contains(errb.String(), `will delete Deployment/`+ns+`/api`) || !strings.Contains(errb.String(), `Type "test" to delete it`) {
			t.Errorf("answer %q: the plan and the question are not on stderr", answer)
		}
		if want := map[string]int{"prod": 2, "test": 0}[answer]; code != want {
			t.Errorf("answer %q: exit %d, want %d", answer, code, want)
		}
		if exists := deploymentExists(t, c, ns); exists != (answer == "prod") {
			t.Errorf("answer %q: the Deployment exists: %v", answer, exists)
		}
	}
}
