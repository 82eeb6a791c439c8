package cli

import (
	"context"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/lock"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// twoEnvironments writes a kship.yaml whose environments blue and green
// deploy to the same namespace, each a ConfigMap of its own and one named
// "shared" (set to the environment's name) when withShared is set.
func twoEnvironments(t *testing.T, dir, context, ns string, blueShared, greenShared bool) string {
	t.Helper()
	for env, shared := range map[string]bool{"blue": blueShared, "green": greenShared} {
		body := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own-" + env + "}\ndata: {env: " + env + "}\n"
		if shared {
			body += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {env: " + env + "}\n"
		}
		writeFile(t, dir, env+"/objects.yaml", body)
		writeFile(t, dir, env+"/kustomization.yaml", "resources: [objects.yaml]\n")
	}
	return writeFile(t, dir, "kship.yaml", "environments:\n"+
		"  blue: {overlay: blue, context: "+context+", namespace: "+ns+"}\n"+
		"  green: {overlay: green, context: "+context+", namespace: "+ns+"}\n")
}

func deployNamed(t *testing.T, c *testcluster.Cluster, cfg, env string, extra ...string) result {
	t.Helper()
	args := append([]string{"--config", cfg, "deploy", env, "--kubeconfig", c.Kubeconfig(), "--timeout", "60s"}, extra...)
	r := run(t, args...)
	t.Logf("kship deploy %s %v: exit %d\nstdout:\n%s\nstderr:\n%s", env, extra, r.code, r.stdout, r.stderr)
	return r
}

func sharedOwner(t *testing.T, c *testcluster.Cluster, ns string) (env, owner string) {
	t.Helper()
	cm, err := c.Clientset().CoreV1().ConfigMaps(ns).Get(context.Background(), "shared", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm.Data["env"], cm.Labels[inventory.LabelPartOf]
}

// Two environments that deploy an object of the same name to one
// namespace: the second is refused, naming the first, unless it adopts the
// object on purpose; the first's prune never deletes what the second took,
// and the first's status says it lost it.
func TestEnvironmentsDoNotTakeEachOthersObjects(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := twoEnvironments(t, dir, c.Context(), ns, true, true)
	blueID, greenID := inventory.ID("kship-blue", ns), inventory.ID("kship-green", ns)

	mustCode(t, deployNamed(t, c, cfg, "blue"), 0)
	r := deployNamed(t, c, cfg, "green")
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "ConfigMap/"+ns+"/shared", "environment blue", "--adopt")
	if env, owner := sharedOwner(t, c, ns); env != "blue" || owner != blueID {
		t.Fatalf("the refused deploy changed the object: env=%s owner=%s", env, owner)
	}
	if configMapExists(t, c, ns, "own-green") {
		t.Error("the refused deploy applied its other objects")
	}

	// Taking it over on purpose.
	mustCode(t, deployNamed(t, c, cfg, "green", "--adopt"), 0)
	if env, owner := sharedOwner(t, c, ns); env != "green" || owner != greenID {
		t.Fatalf("after --adopt: env=%s owner=%s", env, owner)
	}
	s := run(t, "--config", cfg, "status", "blue", "--kubeconfig", c.Kubeconfig())
	t.Logf("status blue: exit %d\n%s%s", s.code, s.stdout, s.stderr)
	if s.code == 0 {
		t.Error("blue's status exits 0 though it lost ConfigMap shared")
	}
	mustContain(t, "blue's status", s.stdout, "ConfigMap/"+ns+"/shared", "another ApplySet")

	// Blue drops the object from its build: its prune must not delete
	// green's.
	twoEnvironments(t, dir, c.Context(), ns, false, true)
	mustCode(t, deployNamed(t, c, cfg, "blue"), 0)
	if env, owner := sharedOwner(t, c, ns); env != "green" || owner != greenID {
		t.Errorf("blue's prune touched green's object: env=%s owner=%s", env, owner)
	}
}

// An object whose finalizer never clears does not hold the deploy past its
// prune timeout: it is reported as still terminating, the lock is freed,
// and it stays a member until it goes.
func TestPruneOfAnObjectHeldByAFinalizerIsBounded(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	held := "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [kship.test/never]}\ndata: {k: v}\n"
	cfg := configMaps(t, dir, c.Context(), ns, 1, "x", held)
	mustCode(t, deployEnv(t, c, cfg), 0)
	t.Cleanup(func() { // let the namespace go
		cm, err := c.Clientset().CoreV1().ConfigMaps(ns).Get(context.Background(), "held", metav1.GetOptions{})
		if err == nil {
			cm.Finalizers = nil
			_, _ = c.Clientset().CoreV1().ConfigMaps(ns).Update(context.Background(), cm, metav1.UpdateOptions{})
		}
	})

	configMaps(t, dir, c.Context(), ns, 1, "x", "")
	start := time.Now()
	r := deployEnv(t, c, cfg, "--prune-timeout", "3s", "-o", "json")
	mustCode(t, r, 0)
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the deploy took %s: the prune was not bounded by its 3s", d)
	}
	mustContain(t, "stdout", r.stdout, `"terminating"`, "ConfigMap")
	mustContain(t, "stderr", r.stderr, "ConfigMap/"+ns+"/held is still being deleted")
	if info, err := lock.Current(context.Background(), kubeClient(t, c), ns, "test"); err != nil || info != nil {
		t.Errorf("lock after the deploy: %+v, %v; want it freed", info, err)
	}
	// Still a member: the next deploy looks again, and does not wait long.
	r = deployEnv(t, c, cfg, "--prune-timeout", "2s")
	mustCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "ConfigMap/"+ns+"/held")
}
