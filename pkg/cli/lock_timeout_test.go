package cli

import (
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/lock"
)

// A deploy that cannot get the environment's lock within --lock-timeout
// fails with exit code 4, says who holds the lock and what to do, and
// applies nothing of its build.
func TestDeployLockTimeout(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{}.write(t, t.TempDir(), c.Context(), ns)
	k := kubeClient(t, c)
	ctx := context.Background()

	// The lock a deploy of environment "test" takes, held by another deploy.
	held, err := lock.Acquire(ctx, k, ns, "test", lock.Options{Holder: "other-deploy", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release(ctx)

	start := time.Now()
	r := deployEnv(t, c, cfg, "--lock-timeout", "2s", "--lock-holder", "this-deploy")
	took := time.Since(start)
	mustCode(t, r, exitcode.Apply)
	mustContain(t, "stderr", r.stderr,
		`environment "test" is being deployed by other-deploy`,
		"wait for it, raise --lock-timeout",
		"kship unlock test")
	if took < 2*time.Second || took > 30*time.Second {
		t.Errorf("gave up after %s, want about --lock-timeout 2s", took)
	}
	if got := versions(t, c, ns); len(got) != 0 {
		t.Errorf("applied without the lock: %v", got)
	}
	if info, err := lock.Current(ctx, k, ns, "test"); err != nil || info == nil || info.Holder != "other-deploy" {
		t.Errorf("lock after the refused deploy = %+v, %v; want it still held by other-deploy", info, err)
	}

	// Once the lock is free, the same deploy goes through: it was the lock,
	// not the build, that stopped it.
	if err := held.Release(ctx); err != nil {
		t.Fatal(err)
	}
	mustCode(t, deployEnv(t, c, cfg, "--lock-timeout", "2s"), exitcode.OK)
	if len(versions(t, c, ns)) == 0 {
		t.Error("the deploy after the lock was released applied nothing")
	}
}

// A deploy stopped by SIGTERM while it waits for another deploy's lock
// exits 143, as any interrupted deploy does, applies nothing, and leaves
// the other deploy's lock alone.
func TestSignalWhileWaitingForTheLock(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{}.write(t, t.TempDir(), c.Context(), ns)
	k := kubeClient(t, c)
	ctx := context.Background()
	held, err := lock.Acquire(ctx, k, ns, "test", lock.Options{Holder: "other-deploy", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release(ctx)

	cmd := exec.Command(kshipBinary(t), "--config", cfg, "deploy", "test", "--kubeconfig", c.Kubeconfig(), "--lock-timeout", "60s", "-o", "json")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "waiting for the deploy lock, held by other-deploy") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	if got := cmd.ProcessState.ExitCode(); got != exitcode.Terminated {
		t.Errorf("exit code %d, want %d", got, exitcode.Terminated)
	}
	mustContain(t, "stdout", stdout.String(), `"outcome": "interrupted"`)
	if got := versions(t, c, ns); len(got) != 0 {
		t.Errorf("applied without the lock: %v", got)
	}
	if info, err := lock.Current(ctx, k, ns, "test"); err != nil || info == nil || info.Holder != "other-deploy" {
		t.Errorf("lock after the interrupted wait = %+v, %v; want it still held by other-deploy", info, err)
	}
}
