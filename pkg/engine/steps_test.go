package engine_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/guard"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/lock"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/prune"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The connect step's guard: a kube context that is not in the kubeconfig,
// or a cluster other than the one kship.yaml pins (by server URL, by
// cluster ID), is refused as a *ConnectError (exit 4) before the deploy
// starts: no event, and nothing written, not even the namespace the build
// would create.
func TestConnectGuardRefusesTheWrongCluster(t *testing.T) {
	c := testcluster.Require(t)
	for _, tt := range []struct {
		name, setting, reason string
	}{
		{"context not in the kubeconfig", "context: not-in-the-kubeconfig", `kube context "not-in-the-kubeconfig" (from kship.yaml) is not in the kubeconfig`},
		{"another server", "server: https://127.0.0.1:1", "kship.yaml pins the environment to https://127.0.0.1:1"},
		{"another cluster ID", "clusterID: 00000000-0000-0000-0000-000000000000", "kship.yaml pins the environment to cluster 00000000-0000-0000-0000-000000000000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ns := missingNamespace(t, c)
			settings := []string{tt.setting}
			if !strings.HasPrefix(tt.setting, "context:") {
				settings = append(settings, contextOf(c))
			}
			target := app{Extra: namespaceDoc(ns)}.target(t, t.TempDir(), ns, settings...)
			rec := &recorder{}
			res, err := engine.Deploy(context.Background(), target, options(c, rec))

			var ce *engine.ConnectError
			if !errors.As(err, &ce) || exitcode.Of(err) != exitcode.Apply {
				t.Fatalf("error %v (%T, exit %d), want a *ConnectError, exit 4", err, err, exitcode.Of(err))
			}
			var wrong *guard.WrongClusterError
			if !errors.As(err, &wrong) || wrong.Env != "test" || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q, want the guard's refusal of environment test saying %q", err, tt.reason)
			}
			if res == nil || res.Revision != 0 || res.Deploy != nil || res.NamespaceCreated {
				t.Errorf("result %+v, want an empty one", res)
			}
			if got := rec.types(); got != "" {
				t.Errorf("events %q, want none (no deploy-started)", got)
			}
			_, err = c.Clientset().CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{})
			if !apierrors.IsNotFound(err) {
				t.Errorf("namespace %s after the refusal: %v, want it not created", ns, err)
			}
		})
	}
}

// checkMoved: the first deploy of an environment to namespace B while its
// inventory is in A is refused as a *MovedError (exit 4) naming A, before
// the deploy starts and before anything is written in B. AllowMove deploys
// it to B, as a new inventory, leaving A's alone.
func TestMovedEnvironmentIsRefused(t *testing.T) {
	c := testcluster.Require(t)
	nsA, nsB := c.Namespace(t), c.Namespace(t)
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := engine.Deploy(ctx, app{}.target(t, dir, nsA, contextOf(c)), options(c, &recorder{})); err != nil {
		t.Fatalf("deploy to %s: %v", nsA, err)
	}

	moved := app{}.target(t, dir, nsB, contextOf(c))
	rec := &recorder{}
	_, err := engine.Deploy(ctx, moved, options(c, rec))
	var me *engine.MovedError
	if !errors.As(err, &me) || exitcode.Of(err) != exitcode.Apply {
		t.Fatalf("error %v (%T, exit %d), want a *MovedError, exit 4", err, err, exitcode.Of(err))
	}
	if me.Env != "test" || me.Namespace != nsB || !reflect.DeepEqual(me.Others, []string{nsA}) || me.ID != inventory.ID("kship-test", nsA) {
		t.Errorf("MovedError %+v, want environment test, to %s, from [%s] with its ID", me, nsB, nsA)
	}
	if got := rec.types(); got != "" {
		t.Errorf("events %q, want none", got)
	}
	if s := stateOf(t, c, nsB); s.Exists || level(t, c, nsB) != "" {
		t.Errorf("the refused deploy wrote in %s: inventory %v, ConfigMap %q", nsB, s.Exists, level(t, c, nsB))
	}
	if info, err := lock.Current(ctx, kubeClient(t, c), nsB, "test"); err != nil || info != nil {
		t.Errorf("lock in %s: %+v, %v; want none taken", nsB, info, err)
	}

	opts := options(c, rec)
	opts.AllowMove = true
	res, err := engine.Deploy(ctx, moved, opts)
	if err != nil {
		t.Fatalf("deploy with AllowMove: %v", err)
	}
	if res.Revision != 1 || level(t, c, nsB) != "one" || !stateOf(t, c, nsB).Exists {
		t.Errorf("with AllowMove: revision %d, ConfigMap %q in %s; want revision 1 of a new inventory there", res.Revision, level(t, c, nsB), nsB)
	}
	if s := stateOf(t, c, nsA); !s.Exists || len(s.History) != 1 || level(t, c, nsA) != "one" {
		t.Errorf("the move changed %s: inventory %v, history %s", nsA, s.Exists, outcomes(s.History))
	}
}

// ensureNamespace: the first deploy into a namespace that does not exist
// creates it, from the build's Namespace object and as a member, before the
// lock and the first phase; the result says so, and reports the Namespace
// as created. A later deploy does not. A missing namespace the build does
// not create is a *StepError (exit 4) before the lock is taken.
func TestEnsureNamespace(t *testing.T) {
	c := testcluster.Require(t)
	ctx := context.Background()

	ns := missingNamespace(t, c)
	target := app{Extra: namespaceDoc(ns)}.target(t, t.TempDir(), ns, contextOf(c))
	rec := &recorder{}
	res, err := engine.Deploy(ctx, target, options(c, rec))
	if err != nil {
		t.Fatalf("deploy: %v (events: %s)", err, rec.types())
	}
	if !res.NamespaceCreated {
		t.Error("Result.NamespaceCreated is false after the deploy created the namespace")
	}
	created := false
	for _, o := range res.Deploy.Objects {
		if o.Ref == (object.Ref{Kind: "Namespace", Name: ns}) {
			created = o.Action == apply.Created
		}
	}
	if !created {
		t.Errorf("the Namespace is not reported as created: %+v", res.Deploy.Objects)
	}
	got, err := c.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Labels[inventory.LabelPartOf] != inventory.ID("kship-test", ns) {
		t.Errorf("namespace labels %v, want it a member of the environment's inventory", got.Labels)
	}
	if level(t, c, ns) != "one" {
		t.Error("the deploy into the namespace it created applied nothing")
	}

	res, err = engine.Deploy(ctx, target, options(c, &recorder{}))
	if err != nil || res.NamespaceCreated {
		t.Errorf("second deploy: %v, NamespaceCreated %v; want no error and false", err, res.NamespaceCreated)
	}

	missing := missingNamespace(t, c)
	rec = &recorder{}
	_, err = engine.Deploy(ctx, app{}.target(t, t.TempDir(), missing, contextOf(c)), options(c, rec))
	var se *engine.StepError
	if !errors.As(err, &se) || se.Step != "namespace" || exitcode.Of(err) != exitcode.Apply {
		t.Errorf("deploy into a missing namespace the build lacks: %v (%T, exit %d), want a namespace *StepError, exit 4", err, err, exitcode.Of(err))
	}
	if rec.index(event.LockAcquired) >= 0 || rec.index(event.PhaseStarted) >= 0 {
		t.Errorf("events %s: the lock was taken or a phase begun", rec.types())
	}
}

// lock: a deploy while another holder has the environment's Lease waits
// LockWait, saying so once (LockWaiting, naming the holder), and gives up
// with a *LockError (exit 4) holding the lock's *HeldError: nothing
// applied, the other's Lease untouched. A deploy with the lock free
// announces LockAcquired before its first phase, holds the Lease as By
// while it applies, and releases it when done.
func TestLock(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	k := kubeClient(t, c)
	target := app{}.target(t, t.TempDir(), ns, contextOf(c))

	held, err := lock.Acquire(ctx, k, ns, "test", lock.Options{Holder: "other-deploy", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release(ctx)
	rec := &recorder{}
	opts := options(c, rec)
	opts.LockWait = 2 * time.Second
	begun := time.Now()
	_, err = engine.Deploy(ctx, target, opts)
	var le *engine.LockError
	var he *lock.HeldError
	if !errors.As(err, &le) || !errors.As(err, &he) || he.Info.Holder != "other-deploy" || exitcode.Of(err) != exitcode.Apply {
		t.Fatalf("error %v (%T, exit %d), want a *LockError holding other-deploy's *HeldError, exit 4", err, err, exitcode.Of(err))
	}
	if took := time.Since(begun); took < opts.LockWait {
		t.Errorf("gave up after %s, before LockWait %s", took, opts.LockWait)
	}
	if w := rec.of(event.LockWaiting); len(w) != 1 || w[0].Holder != "other-deploy" || w[0].Since.IsZero() {
		t.Errorf("lock-waiting events %+v, want one naming other-deploy and since when", w)
	}
	if rec.index(event.LockAcquired) >= 0 || rec.index(event.PhaseStarted) >= 0 || rec.index(event.ObjectApplied) >= 0 {
		t.Errorf("events %s: want no lock-acquired, phase or apply", rec.types())
	}
	if level(t, c, ns) != "" || stateOf(t, c, ns).Exists {
		t.Error("a deploy without the lock wrote objects or the inventory")
	}
	if info, err := lock.Current(ctx, k, ns, "test"); err != nil || info == nil || info.Holder != "other-deploy" {
		t.Errorf("lock after the refused deploy: %+v, %v; want other-deploy's still", info, err)
	}
	if err := held.Release(ctx); err != nil {
		t.Fatal(err)
	}

	rec = &recorder{}
	var during *lock.Info
	var duringErr error
	var once sync.Once
	opts = on(options(c, rec), func(e event.Event) {
		if e.Type == event.PhaseStarted {
			once.Do(func() { during, duringErr = lock.Current(ctx, k, ns, "test") })
		}
	})
	if _, err := engine.Deploy(ctx, target, opts); err != nil {
		t.Fatalf("deploy with the lock free: %v", err)
	}
	if a := rec.of(event.LockAcquired); len(a) != 1 || a[0].Holder != "engine-test" {
		t.Errorf("lock-acquired events %+v, want one for engine-test", a)
	}
	if rec.index(event.LockWaiting) >= 0 {
		t.Errorf("events %s: waited for a free lock", rec.types())
	}
	if duringErr != nil || during == nil || during.Holder != "engine-test" {
		t.Errorf("lock while the first phase began: %+v, %v; want held by engine-test", during, duringErr)
	}
	if info, err := lock.Current(ctx, k, ns, "test"); err != nil || info != nil {
		t.Errorf("lock after the deploy: %+v, %v; want it released", info, err)
	}
}

// recordIntent: before the first phase applies anything, the inventory
// records the new revision as in progress, with the build's object count,
// and the members it is about to apply together with those of before (the
// union), so that a deploy cut off half-way loses track of nothing.
func TestIntentIsRecordedBeforeApply(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	dir := t.TempDir()
	inv := inventory.New(kubeClient(t, c), "test", ns)
	for _, step := range []struct {
		rev     int
		fresh   string   // the ConfigMap this revision adds
		members []string // the ConfigMaps recorded when its first phase begins
	}{
		{1, "old", []string{"old", "settings"}},
		{2, "new", []string{"new", "old", "settings"}},
	} {
		var state *inventory.State
		var loadErr error
		applied := true
		var once sync.Once
		opts := on(options(c, &recorder{}), func(e event.Event) {
			if e.Type == event.PhaseStarted {
				once.Do(func() {
					state, loadErr = inv.Load(ctx)
					applied = exists(t, c, ns, step.fresh)
				})
			}
		})
		if _, err := engine.Deploy(ctx, app{Extra: configMap(step.fresh)}.target(t, dir, ns, contextOf(c)), opts); err != nil {
			t.Fatalf("revision %d: %v", step.rev, err)
		}
		if loadErr != nil || state == nil {
			t.Fatalf("revision %d: inventory when the first phase began: %v", step.rev, loadErr)
		}
		if applied {
			t.Errorf("revision %d: ConfigMap %s existed when the first phase began", step.rev, step.fresh)
		}
		last := state.Last()
		if last == nil || last.Revision != step.rev || last.Outcome != inventory.OutcomeInProgress || last.Objects != 3 || last.By != "engine-test" {
			t.Errorf("revision %d: last record when the first phase began %+v, want it in progress, 3 objects, by engine-test", step.rev, last)
		}
		var members []string
		for r := range state.Members {
			if r.Kind == "ConfigMap" {
				members = append(members, r.Name)
			}
		}
		if !sameSet(members, step.members) || !hasMember(state, object.Ref{Group: "apps", Kind: "Deployment", Namespace: ns, Name: "web"}) {
			t.Errorf("revision %d: members when the first phase began %v, want ConfigMaps %v and the Deployment", step.rev, state.Members, step.members)
		}
	}
	if got := stateOf(t, c, ns); exists(t, c, ns, "old") || hasMember(got, object.Ref{Kind: "ConfigMap", Namespace: ns, Name: "old"}) {
		t.Errorf("after revision 2: ConfigMap old still there or a member (%v)", got.Members)
	}
}

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
		if err := <-broken; err != nil {
			t.Fatalf("unlock: %v", err)
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

// checkPrune and pruneAfter: a member dropped from the build is deleted
// once the rollout is ready (a Pruned event after the last phase), and
// leaves the inventory; one annotated kship.dev/prune: disabled stays, with
// a Kept event and its reason, and stays a member. A deploy that would
// prune more than MaxPruneShare of the members is refused with a
// *prune.MassPruneError (exit 3) before it writes anything.
func TestPrune(t *testing.T) {
	c := testcluster.Require(t)
	ctx := context.Background()

	t.Run("pruned and kept", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		first := app{Extra: configMap("dropped") + configMap("keep", strconv.Quote(prune.Annotation)+": "+prune.Disabled)}
		if _, err := engine.Deploy(ctx, first.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		res, err := engine.Deploy(ctx, app{}.target(t, dir, ns, contextOf(c)), options(c, rec))
		if err != nil {
			t.Fatalf("deploy: %v", err)
		}
		dropped := object.Ref{Kind: "ConfigMap", Namespace: ns, Name: "dropped"}
		kept := object.Ref{Kind: "ConfigMap", Namespace: ns, Name: "keep"}
		if p := rec.of(event.Pruned); len(p) != 1 || p[0].Object != dropped || !reflect.DeepEqual(res.Pruned, []object.Ref{dropped}) {
			t.Errorf("pruned events %+v, Result.Pruned %v; want ConfigMap dropped", p, res.Pruned)
		}
		if rec.index(event.Pruned) < rec.lastIndex(event.PhaseDone) {
			t.Errorf("pruned before the rollout was ready: %s", rec.types())
		}
		want := prune.Annotation + ": " + prune.Disabled
		if k := rec.of(event.Kept); len(k) != 1 || k[0].Object != kept || k[0].Reason != want || len(res.KeptFromPrune) != 1 || res.KeptFromPrune[0].Reason != want {
			t.Errorf("kept events %+v, Result.KeptFromPrune %+v; want ConfigMap keep, because %q", k, res.KeptFromPrune, want)
		}
		if exists(t, c, ns, "dropped") || !exists(t, c, ns, "keep") {
			t.Errorf("after the prune: dropped there %v, keep there %v; want only keep", exists(t, c, ns, "dropped"), exists(t, c, ns, "keep"))
		}
		if s := stateOf(t, c, ns); hasMember(s, dropped) || !hasMember(s, kept) {
			t.Errorf("members %v, want keep and not dropped", s.Members)
		}
	})

	t.Run("mass prune refused", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		if _, err := engine.Deploy(ctx, app{Extra: configMap("a") + configMap("b") + configMap("c")}.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
			t.Fatal(err)
		}
		before, err := c.Clientset().CoreV1().Secrets(ns).Get(ctx, "kship-test", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		opts := options(c, rec)
		opts.MaxPruneShare = 0.5
		_, err = engine.Deploy(ctx, app{Value: "two"}.target(t, dir, ns, contextOf(c)), opts)
		var mp *prune.MassPruneError
		if !errors.As(err, &mp) || mp.Delete != 3 || mp.Members != 5 || exitcode.Of(err) != exitcode.Build {
			t.Fatalf("error %v (%T, exit %d), want a *prune.MassPruneError of 3 of 5, exit 3", err, err, exitcode.Of(err))
		}
		if rec.index(event.PhaseStarted) >= 0 || rec.index(event.Pruned) >= 0 {
			t.Errorf("events %s: want no phase and no prune", rec.types())
		}
		after, err := c.Clientset().CoreV1().Secrets(ns).Get(ctx, "kship-test", metav1.GetOptions{})
		if err != nil || after.ResourceVersion != before.ResourceVersion {
			t.Errorf("the inventory was written (%v)", err)
		}
		if level(t, c, ns) != "one" || !exists(t, c, ns, "a") || !exists(t, c, ns, "b") || !exists(t, c, ns, "c") {
			t.Error("the refused deploy changed or deleted objects")
		}
	})
}

// save: each good deploy saves its manifests; only the last 3 saved
// revisions are kept, in the history and as Secrets. When the save is
// refused (here by a quota on Secrets), the deploy still succeeds, emits
// SaveFailed for the revision, and records it as ready but not saved.
func TestSaveKeepsTheLastThree(t *testing.T) {
	c := testcluster.Require(t)
	ctx := context.Background()

	t.Run("last three", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		for i, v := range []string{"one", "two", "three", "four"} {
			if _, err := engine.Deploy(ctx, app{Value: v}.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
				t.Fatalf("deploy %d: %v", i+1, err)
			}
		}
		if got := savedRevisions(t, c, ns); !reflect.DeepEqual(got, []int{2, 3, 4}) {
			t.Errorf("saved revisions %v, want [2 3 4]", got)
		}
		h := stateOf(t, c, ns).History
		var saved []int
		for _, r := range h {
			if r.Outcome != inventory.OutcomeReady {
				t.Errorf("history %s, want every revision ready", outcomes(h))
			}
			if r.Saved {
				saved = append(saved, r.Revision)
			}
		}
		if len(h) != 4 || !reflect.DeepEqual(saved, []int{2, 3, 4}) {
			t.Errorf("history %s, want 4 revisions, 2 to 4 saved", outcomes(h))
		}
	})

	t.Run("save refused", func(t *testing.T) {
		ns := c.Namespace(t)
		// One Secret: the inventory's; none left for a saved revision.
		q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "one-secret"},
			Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceSecrets: resource.MustParse("1")}}}
		if _, err := c.Clientset().CoreV1().ResourceQuotas(ns).Create(ctx, q, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		poll(t, "the quota's usage to be counted", func() bool {
			q, err := c.Clientset().CoreV1().ResourceQuotas(ns).Get(ctx, "one-secret", metav1.GetOptions{})
			return err == nil && q.Status.Used != nil
		})
		rec := &recorder{}
		res, err := engine.Deploy(ctx, app{}.target(t, t.TempDir(), ns, contextOf(c)), options(c, rec))
		if err != nil {
			t.Fatalf("deploy: %v, want the failed save not to fail it", err)
		}
		f := rec.of(event.SaveFailed)
		if len(f) != 1 || f[0].Revision != res.Revision || !strings.Contains(f[0].Error, "exceeded quota") {
			t.Errorf("save-failed events %+v, want one for revision %d, the quota's refusal", f, res.Revision)
		}
		h := stateOf(t, c, ns).History
		if r := revision(h, 1); r == nil || r.Outcome != inventory.OutcomeReady || r.Saved {
			t.Errorf("history %s, want revision 1 ready, not saved", outcomes(h))
		}
		if got := savedRevisions(t, c, ns); len(got) != 0 {
			t.Errorf("saved revisions %v, want none", got)
		}
	})
}

func sameSet(a, b []string) bool {
	set := map[string]int{}
	for _, s := range a {
		set[s]++
	}
	for _, s := range b {
		set[s]--
	}
	for _, n := range set {
		if n != 0 {
			return false
		}
	}
	return true
}

func hasMember(s *inventory.State, r object.Ref) bool {
	_, ok := s.Members[r]
	return ok
}
