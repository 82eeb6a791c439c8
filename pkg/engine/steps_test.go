package engine_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/guard"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/lock"
	"github.com/kship/kship/pkg/object"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
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
