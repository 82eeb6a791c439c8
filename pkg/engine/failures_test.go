package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/lock"
)

// A deploy whose caller's context ends while it waits (a signal) stops
// with an *InterruptedError (exit 130), records its outcome (failed), does
// not roll back, and frees the lock. A deploy that loses the lock while it
// waits (broken by Unlock) stops with a *LockError (exit 4) and writes
// nothing more: its record stays in progress, and the next deploy's load
// closes it as interrupted.
func TestInterruptedDeployIsRecorded(t *testing.T) {
	c := testcluster.Require(t)
	ctx := context.Background()
	stuck := app{PodAnnots: map[string]string{testcluster.AnnotationNeverReady: "true"}}

	t.Run("caller's context cancelled", func(t *testing.T) {
		ns := c.Namespace(t)
		dctx, cancel := context.WithCancel(ctx)
		defer cancel()
		rec := &recorder{}
		opts := on(options(c, rec), func(e event.Event) {
			if e.Type == event.ObjectApplied && e.Applied.Ref.Kind == "Deployment" {
				cancel()
			}
		})
		opts.RollbackOnFailure = true
		res, err := engine.Deploy(dctx, stuck.target(t, t.TempDir(), ns, contextOf(c)), opts)
		var ie *engine.InterruptedError
		if !errors.As(err, &ie) || !errors.Is(ie.Cause, context.Canceled) || exitcode.Of(err) != exitcode.Interrupted {
			t.Fatalf("error %v (%T, exit %d), want an *InterruptedError, exit 130", err, err, exitcode.Of(err))
		}
		h := stateOf(t, c, ns).History
		if r := revision(h, 1); r == nil || r.Outcome != inventory.OutcomeFailed || r.Saved || res.Revision != 1 {
			t.Errorf("history %s (result revision %d), want revision 1 recorded failed, not saved", outcomes(h), res.Revision)
		}
		if s := rec.of(event.RollbackSkipped); len(s) != 1 || !strings.Contains(s[0].Reason, "interrupted") || rec.index(event.RollbackStarted) >= 0 {
			t.Errorf("rollback events %+v, want one rollback-skipped: interrupted", s)
		}
		if res.Rollback == nil || res.Rollback.Outcome != engine.RollbackNotAttempted {
			t.Errorf("Result.Rollback %+v, want not attempted", res.Rollback)
		}
		if info, err := lock.Current(ctx, kubeClient(t, c), ns, "test"); err != nil || info != nil {
			t.Errorf("lock after the interruption: %+v, %v; want it released", info, err)
		}
	})

	t.Run("lock lost", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		target := stuck.target(t, dir, ns, contextOf(c))
		rec := &recorder{}
		broken := make(chan error, 1)
		opts := on(options(c, rec), func(e event.Event) {
			if e.Type == event.ObjectApplied && e.Applied.Ref.Kind == "Deployment" {
				go func() {
					_, err := engine.Unlock(ctx, target, engine.Cluster{Kubeconfig: c.Kubeconfig()})
					broken <- err
				}()
			}
		})
		opts.LockTTL = 3 * time.Second
		_, err := engine.Deploy(ctx, target, opts)
		select {
		case err := <-broken:
			if err != nil {
				t.Fatalf("unlock: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the deploy (error %v) ended without applying the Deployment: the lock was never broken", err)
		}
		var le *engine.LockError
		var lost *lock.LostError
		if !errors.As(err, &le) || !errors.As(err, &lost) || exitcode.Of(err) != exitcode.Apply {
			t.Fatalf("error %v (%T, exit %d), want a *LockError holding a *lock.LostError, exit 4", err, err, exitcode.Of(err))
		}
		if l := rec.of(event.LockLost); len(l) != 1 || !strings.Contains(l[0].Error, "deleted") {
			t.Errorf("lock-lost events %+v, want one saying the lease was deleted", l)
		}
		h := stateOf(t, c, ns).History
		if r := revision(h, 1); r == nil || r.Outcome != inventory.OutcomeInProgress {
			t.Fatalf("history after the lost lock %s, want revision 1 still in progress", outcomes(h))
		}

		if _, err := engine.Deploy(ctx, app{}.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
			t.Fatalf("next deploy: %v", err)
		}
		h = stateOf(t, c, ns).History
		if r1, r2 := revision(h, 1), revision(h, 2); r1 == nil || r1.Outcome != inventory.OutcomeInterrupted || r2 == nil || r2.Outcome != inventory.OutcomeReady {
			t.Errorf("history after the next deploy %s, want 1 interrupted, 2 ready", outcomes(h))
		}
	})
}

// applyAndWait: a Deployment that never becomes ready within Timeout fails
// the deploy with a *deploy.Error of the wait stage (exit 5); the history
// records the revision as failed, its manifests are not saved, DeployDone
// carries the error and its root cause, and the lock is freed.
func TestRolloutThatIsNeverReadyFails(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	rec := &recorder{}
	opts := options(c, rec)
	opts.Timeout = 2 * time.Second
	target := app{PodAnnots: map[string]string{testcluster.AnnotationNeverReady: "true"}}.target(t, t.TempDir(), ns, contextOf(c))
	res, err := engine.Deploy(ctx, target, opts)

	var de *deploy.Error
	if !errors.As(err, &de) || de.Stage != deploy.StageWait || de.Phase != deploy.PhaseWorkloads || exitcode.Of(err) != exitcode.NotReady {
		t.Fatalf("error %v (%T, exit %d), want a *deploy.Error in the workloads' wait, exit 5", err, err, exitcode.Of(err))
	}
	if res.Revision != 1 || res.Deploy == nil || res.Deploy.StoppedIn != deploy.PhaseWorkloads || res.Rollback != nil {
		t.Errorf("result: revision %d, deploy %+v, rollback %+v; want revision 1 stopped in workloads, no rollback", res.Revision, res.Deploy, res.Rollback)
	}
	h := stateOf(t, c, ns).History
	if r := revision(h, 1); len(h) != 1 || r == nil || r.Outcome != inventory.OutcomeFailed || r.Saved {
		t.Errorf("history %s, want revision 1 failed, not saved", outcomes(h))
	}
	if got := savedRevisions(t, c, ns); len(got) != 0 {
		t.Errorf("saved revisions %v, want none", got)
	}
	done := rec.of(event.DeployDone)
	if len(done) != 1 || done[0].Revision != 1 || done[0].Error == "" || !strings.Contains(done[0].Cause, "Deployment/"+ns+"/web") {
		t.Errorf("deploy-done events %+v, want one for revision 1 with the error and the Deployment as cause", done)
	}
	if rec.index(event.PhaseStarted) < 0 || rec.index(event.RollbackSkipped) >= 0 || rec.index(event.Pruned) >= 0 {
		t.Errorf("events %s: want phases, no rollback and no prune", rec.types())
	}
	if info, err := lock.Current(ctx, kubeClient(t, c), ns, "test"); err != nil || info != nil {
		t.Errorf("lock after the failure: %+v, %v; want it released", info, err)
	}
}

// rollbackAfter: with RollbackOnFailure, a failed rollout after a good
// revision is rolled back to it: RollbackStarted and RollbackDone name the
// revision and the failed one, Result.Rollback says rolled back (and as
// which revision), the ConfigMap's value returns, the history records the
// rollback, and the deploy's own error (exit 5) is returned. When the
// rollback fails too, the error is a *RollbackFailedError (exit 6) and
// RollbackFailed says whether it applied part of the revision.
func TestRollbackAfterFailure(t *testing.T) {
	c := testcluster.Require(t)
	ctx := context.Background()
	broken := map[string]string{testcluster.AnnotationNeverReady: "true"}

	t.Run("rolled back", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		if _, err := engine.Deploy(ctx, app{}.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		opts := options(c, rec)
		opts.Timeout, opts.RollbackOnFailure = 3*time.Second, true
		res, err := engine.Deploy(ctx, app{Value: "two", PodAnnots: broken}.target(t, dir, ns, contextOf(c)), opts)
		var de *deploy.Error
		if !errors.As(err, &de) || errors.As(err, new(*engine.RollbackFailedError)) || exitcode.Of(err) != exitcode.NotReady {
			t.Fatalf("error %v (%T, exit %d), want the deploy's *deploy.Error, exit 5", err, err, exitcode.Of(err))
		}
		rb := res.Rollback
		if !rb.Succeeded() || rb.To != 1 || rb.Revision != 3 || rb.Mixed || rb.Result == nil {
			t.Errorf("Result.Rollback %+v, want rolled back to 1 as revision 3", rb)
		}
		s, d := rec.of(event.RollbackStarted), rec.of(event.RollbackDone)
		if len(s) != 1 || s[0].Revision != 1 || s[0].Failed != 2 || s[0].By != "engine-test" || len(d) != 1 || d[0].Revision != 1 || d[0].Failed != 2 {
			t.Errorf("rollback events: started %+v, done %+v; want one each, to 1 after 2 failed", s, d)
		}
		if rec.index(event.RollbackStarted) > rec.index(event.RollbackDone) {
			t.Errorf("rollback-done before rollback-started: %s", rec.types())
		}
		if got := level(t, c, ns); got != "one" {
			t.Errorf("ConfigMap LEVEL %q after the rollback, want one", got)
		}
		h := stateOf(t, c, ns).History
		if r2, r3 := revision(h, 2), revision(h, 3); r2 == nil || r2.Outcome != inventory.OutcomeFailed || r3 == nil ||
			r3.Outcome != inventory.OutcomeRolledBack || r3.RollbackOf != 1 || !r3.Saved {
			t.Errorf("history %s, want 2 failed, 3 rolled back to 1 and saved", outcomes(h))
		}
	})

	t.Run("rollback fails", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		// Recreate: the failed deploy takes the good pods down, so the
		// rollback needs new ones, slower to be ready than its Timeout.
		slow := map[string]string{testcluster.AnnotationReadyAfter: "3s"}
		if _, err := engine.Deploy(ctx, app{PodAnnots: slow, Recreate: true}.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		opts := options(c, rec)
		opts.Timeout, opts.RollbackOnFailure = 2*time.Second, true
		res, err := engine.Deploy(ctx, app{Value: "two", PodAnnots: broken, Recreate: true}.target(t, dir, ns, contextOf(c)), opts)
		var rf *engine.RollbackFailedError
		if !errors.As(err, &rf) || exitcode.Of(err) != exitcode.RollbackFailed || !errors.As(err, new(*deploy.Error)) {
			t.Fatalf("error %v (%T, exit %d), want a *RollbackFailedError wrapping the deploy's error, exit 6", err, err, exitcode.Of(err))
		}
		rb := res.Rollback
		if rb != rf.Rollback || rb.Outcome != engine.RollbackFailed || rb.To != 1 || !rb.Mixed || rb.Reason == "" {
			t.Errorf("Result.Rollback %+v, want the error's: failed, to 1, mixed, with a reason", rb)
		}
		f := rec.of(event.RollbackFailed)
		if len(f) != 1 || f[0].Revision != 1 || f[0].Failed != 2 || !f[0].Mixed || f[0].Error == "" || rec.index(event.RollbackDone) >= 0 {
			t.Errorf("rollback-failed events %+v (all: %s), want one, to 1 after 2, mixed, and no rollback-done", f, rec.types())
		}
		h := stateOf(t, c, ns).History
		if r3 := revision(h, 3); r3 == nil || r3.Outcome != inventory.OutcomeFailed || r3.RollbackOf != 1 {
			t.Errorf("history %s, want the rollback recorded as revision 3, failed", outcomes(h))
		}
	})
}
