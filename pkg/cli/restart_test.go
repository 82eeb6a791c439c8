package cli

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// restartObjects is how many ConfigMaps the restart tests apply: enough for
// the API server to die with requests in flight and more queued.
const restartObjects = 300

// writeConfigMaps lays out a tree of n ConfigMaps and a Deployment in ns,
// with a kship.yaml whose environment "test" deploys it; it returns the
// kship.yaml path.
func writeConfigMaps(t *testing.T, dir, ns string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings-%03d}\ndata: {index: %q, owner: shop}\n", i, fmt.Sprint(i))
	}
	writeFile(t, dir, "app/configmaps.yaml", b.String())
	writeFile(t, dir, "app/deployment.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations: {kwok.kship.dev/ready-after: 2s}
    spec:
      containers:
      - name: api
        image: registry.example/api:v1
        resources: {requests: {cpu: 10m, memory: 16Mi}}
`)
	writeFile(t, dir, "app/kustomization.yaml", "namespace: "+ns+"\nresources: [configmaps.yaml, deployment.yaml]\n")
	return writeFile(t, dir, "kship.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: %s\n    namespace: %s\n", testcluster.ContextName, ns))
}

// deployAsync runs kship deploy against server in the background, as a
// user RBAC lets deploy (not in system:masters, as CI's is not); the result
// arrives on the channel, with what client-go wrote to os.Stderr behind
// kship's back.
func deployAsync(t *testing.T, c *testcluster.Cluster, cfg string, s *testcluster.APIServer, extra ...string) <-chan result {
	grantDeployer(t, c)
	args := append([]string{"--config", cfg, "deploy", "test", "--kubeconfig", s.UserKubeconfig(), "--concurrency", "8"}, extra...)
	done := make(chan result, 1)
	go func() {
		var r result
		r.leaked = captureStderr(t, func() { r = run(t, args...) })
		t.Logf("kship %s\nexit %d\nstdout, first and last rows:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, rows(r.stdout, 4), r.stderr)
		done <- r
	}()
	return done
}

// rows returns the first and last n lines of a long table.
func rows(table string, n int) string {
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	if len(lines) <= 2*n {
		return table
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n... (%d more)\n", len(lines)-2*n) + strings.Join(lines[len(lines)-n:], "\n")
}

// grantDeployer lets the private API servers' user do what kship does.
func grantDeployer(t *testing.T, c *testcluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	name := "kship-test-deployer-" + strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: testcluster.PrivateGroup}},
	}
	if _, err := c.Clientset().RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Clientset().RbacV1().ClusterRoleBindings().Delete(ctx, name, metav1.DeleteOptions{}) })
}

// waitFor polls the shared API server until cond holds.
func waitFor(t *testing.T, what string, cond func(context.Context) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for !cond(ctx) {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// applying waits until the deploy has applied some of the ConfigMaps, seen
// through the shared API server.
func applying(t *testing.T, c *testcluster.Cluster, ns string) {
	t.Helper()
	waitFor(t, "the first ConfigMaps", func(ctx context.Context) bool {
		l, err := c.Clientset().CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
		return err == nil && len(l.Items) > 20
	})
}

// lastRevision returns the outcome of the environment's last recorded
// deploy, and whether its lock is free, read through the shared API server.
func lastRevision(t *testing.T, c *testcluster.Cluster, ns string) (string, bool) {
	t.Helper()
	ctx := context.Background()
	k, err := kube.New(kube.Options{Kubeconfig: c.Kubeconfig(), Context: c.Context()})
	if err != nil {
		t.Fatal(err)
	}
	state, err := inventory.New(k, "test", ns).Load(ctx)
	if err != nil || state.Last() == nil {
		t.Fatalf("no deploy recorded: %v", err)
	}
	held, err := lock.Current(ctx, k, ns, "test")
	if err != nil {
		t.Fatal(err)
	}
	return state.Last().Outcome, held == nil
}

// appliedRow matches a row of the summary table of an object applied.
var appliedRow = regexp.MustCompile(`(?m)^\S+\s+\S+\s+(created|configured|unchanged)\s`)

// clientGoNoise matches the log lines client-go prints by itself.
var clientGoNoise = regexp.MustCompile(`(?m)^.*([IWE]\d{4} |Failed to watch|Unhandled Error|reflector\.go|client-side throttling).*$`)

// The API server is killed twice: while the ConfigMaps are being applied,
// and while kship waits for the Deployment. Back within the retry budget
// each time, the deploy completes as if nothing had happened. (On a machine
// so loaded that the server takes longer than the budget to come back, the
// deploy may fail instead, and must then say why in one line.)
func TestDeployRidesOutAPIServerRestart(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	s := c.PrivateAPIServer(t)
	cfg := writeConfigMaps(t, t.TempDir(), ns, restartObjects)
	done := deployAsync(t, c, cfg, s, "--timeout", "3m")

	applying(t, c, ns)
	slowest := restart(t, s)
	var r result
	finished := false
	waitFor(t, "the Deployment, or the deploy's end", func(ctx context.Context) bool {
		select {
		case r = <-done:
			finished = true
			return true
		default:
		}
		_, err := c.Clientset().AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
		return err == nil
	})
	if !finished {
		slowest = max(slowest, restart(t, s))
		r = <-done
	}

	for where, out := range map[string]string{"kship's stderr": r.stderr, "os.Stderr": r.leaked} {
		if m := clientGoNoise.FindString(out); m != "" {
			t.Errorf("%s has client-go's log lines: %s", where, m)
		}
	}
	if budget := kube.DefaultRetry.Outage; r.code != 0 && slowest > budget-5*time.Second {
		t.Logf("the API server took %s to come back, about the %s retry budget: the deploy may fail", slowest, budget)
		mustSayOnce(t, r, s)
		mustEndClean(t, c, ns, inventory.OutcomeFailed)
		return
	}
	mustCode(t, r, 0)
	if n := len(appliedRow.FindAllString(r.stdout, -1)); n != restartObjects+1 {
		t.Errorf("the summary lists %d objects applied, want %d", n, restartObjects+1)
	}
	mustEndClean(t, c, ns, inventory.OutcomeReady)
}

// restart kills the API server and starts it again; it returns how long
// the server was away.
func restart(t *testing.T, s *testcluster.APIServer) time.Duration {
	t.Helper()
	start := time.Now()
	s.Stop()
	time.Sleep(500 * time.Millisecond)
	s.Start()
	down := time.Since(start)
	t.Logf("API server restarted: down for %s", down.Round(100*time.Millisecond))
	return down
}

// mustSayOnce checks that kship's stderr speaks of the unreachable API
// server in one line, however many objects it failed.
func mustSayOnce(t *testing.T, r result, s *testcluster.APIServer) {
	t.Helper()
	if r.code != 4 {
		t.Errorf("exit code = %d, want 4", r.code)
	}
	about := regexp.MustCompile(`(?m)^.*the API server at ` + regexp.QuoteMeta(s.URL()) + `.*$`)
	if lines := about.FindAllString(r.stderr, -1); len(lines) != 1 || !strings.HasPrefix(lines[0], "kship: deploy test failed: ") {
		t.Errorf("stderr has %d lines about the API server, want one, the error:\n%s", len(lines), strings.Join(lines, "\n"))
	}
}

// mustEndClean checks that the deploy lock is free and the last revision
// was recorded with outcome.
func mustEndClean(t *testing.T, c *testcluster.Cluster, ns, outcome string) {
	t.Helper()
	if got, free := lastRevision(t, c, ns); got != outcome || !free {
		t.Errorf("last revision %q, lock free %v; want %q and free", got, free, outcome)
	}
}

// The API server stays down past the deploy's --timeout: the deploy fails,
// with one line for all the objects it could not apply, and the API server
// comes back while kship frees its lock and records the failure.
func TestDeployGivesUpOnAPIServerOutage(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	s := c.PrivateAPIServer(t)
	cfg := writeConfigMaps(t, t.TempDir(), ns, restartObjects)
	const timeout = 4 * time.Second
	begun := time.Now()
	done := deployAsync(t, c, cfg, s, "--timeout", timeout.String())

	applying(t, c, ns)
	s.Stop()
	time.Sleep(time.Until(begun.Add(timeout + 2*time.Second))) // the deploy has given up
	s.Start()
	r := <-done

	mustSayOnce(t, r, s)
	errLine := regexp.MustCompile(`(?m)^kship: deploy test failed: phase config: \d+ objects not applied: the API server at ` +
		regexp.QuoteMeta(s.URL()) + ` refused connections \(dial tcp 127\.0\.0\.1:\d+: connect: connection refused\)$`)
	if !errLine.MatchString(r.stderr) {
		t.Errorf("stderr lacks the one-line summary of the failure")
	}
	if !strings.Contains(r.stdout, "not applied: the API server at "+s.URL()) {
		t.Errorf("the summary table does not say which objects the API server did not take")
	}
	mustEndClean(t, c, ns, inventory.OutcomeFailed)
	if m := clientGoNoise.FindString(r.stderr + r.leaked); m != "" {
		t.Errorf("client-go's log lines were printed: %s", m)
	}
}
