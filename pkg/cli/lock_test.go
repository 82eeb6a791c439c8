package cli

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/inventory"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// configMaps writes a tree of n ConfigMaps whose data says value, plus
// extra resources, into dir/app with a kship.yaml; it returns its path.
func configMaps(t *testing.T, dir, context, ns string, n int, value string, extra string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%03d}\ndata: {v: %q}\n", i, value)
	}
	b.WriteString(extra)
	writeFile(t, dir, "app/objects.yaml", b.String())
	writeFile(t, dir, "app/kustomization.yaml", "namespace: "+ns+"\nresources: [objects.yaml]\n")
	return envConfig(t, dir, "app", context, ns)
}

// values counts the ConfigMaps cm-* of ns by their data value.
func values(t *testing.T, c *testcluster.Cluster, ns string) map[string]int {
	t.Helper()
	list, err := c.Clientset().CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, cm := range list.Items {
		if strings.HasPrefix(cm.Name, "cm-") {
			out[cm.Data["v"]]++
		}
	}
	return out
}

// A deploy paused past its lease (a suspended CI VM, Ctrl-Z) while another
// takes the lock over and completes must, when it resumes, change nothing:
// no object reverted, no inventory or history write.
func TestPausedDeployStopsActingAfterTakeover(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	const n = 150
	cfgA := configMaps(t, dirA, c.Context(), ns, n, "base", "")
	mustCode(t, deployEnv(t, c, cfgA), 0)

	configMaps(t, dirA, c.Context(), ns, n, "A", "")
	a := exec.Command(kshipBinary(t), "--config", cfgA, "deploy", "test", "--kubeconfig", c.Kubeconfig(),
		"--lock-ttl", "5s", "--concurrency", "1", "--lock-holder", "deploy-A")
	var stderrA strings.Builder
	a.Stderr = &stderrA
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Process.Kill()
	deadline := time.Now().Add(30 * time.Second)
	for values(t, c, ns)["A"] < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("deploy A applied nothing in 30s:\n%s", stderrA.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := a.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	pausedAt := values(t, c, ns)
	t.Logf("deploy A paused after applying %d of %d", pausedAt["A"], n)

	// B, with a kind A does not have, takes the lock over once A's lease
	// has gone unrenewed for its duration, and completes.
	cfgB := configMaps(t, dirB, c.Context(), ns, n, "B", "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: b-only}\n")
	r := deployEnv(t, c, cfgB, "--lock-timeout", "60s", "--lock-holder", "deploy-B")
	mustCode(t, r, 0)
	if got := values(t, c, ns); got["B"] != n {
		t.Fatalf("after B: %v, want all %d B", got, n)
	}

	// A resumes.
	if err := a.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	err := a.Wait()
	t.Logf("deploy A: %v\n%s", err, stderrA.String())
	if code := a.ProcessState.ExitCode(); code != 4 {
		t.Errorf("deploy A exit code %d, want 4 (lock lost)", code)
	}
	mustContain(t, "deploy A's stderr", stderrA.String(), "lost the deploy lock", "deploy-B")
	if got := values(t, c, ns); got["B"] != n {
		t.Errorf("after A resumed: %v: A reverted B's objects", got)
	}
	k := kubeClient(t, c)
	state, err := inventory.New(k, "test", ns).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byB := false
	for _, h := range state.History {
		if h.By == "deploy-B" && h.Outcome == inventory.OutcomeReady {
			byB = true
		}
		if h.By == "deploy-A" && h.Outcome != inventory.OutcomeInterrupted {
			t.Errorf("deploy A's revision %d is recorded %q; it never finished", h.Revision, h.Outcome)
		}
	}
	if !byB {
		t.Errorf("B's revision is gone from the history: %+v", state.History)
	}
	if !state.GroupKinds[schema.GroupKind{Kind: "ServiceAccount"}] {
		t.Errorf("the inventory lost the kind B added: %v", state.GroupKinds)
	}
}
