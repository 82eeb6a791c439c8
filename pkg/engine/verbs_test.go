package engine_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/lock"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Status reports the environment's inventory, its last deploy, the lock,
// and each member with its live state: after a deploy, the ConfigMap and
// the Deployment, both Current; once the ConfigMap is deleted by hand, it
// is NotFound. A target that is not an environment with a namespace is an
// *OptionError (exit 2).
func TestStatusNamesTheMembers(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	target := app{}.target(t, t.TempDir(), ns, contextOf(c))
	if _, err := engine.Deploy(ctx, target, options(c, &recorder{})); err != nil {
		t.Fatal(err)
	}
	cluster := engine.Cluster{Kubeconfig: c.Kubeconfig()}

	rep, err := engine.Status(ctx, target, cluster)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if rep.Environment != "test" || rep.Inventory != "secrets/kship-test -n "+ns || rep.Lock != nil {
		t.Errorf("status: environment %q, inventory %q, lock %+v", rep.Environment, rep.Inventory, rep.Lock)
	}
	if l := rep.LastDeploy; l == nil || l.Revision != 1 || l.Outcome != inventory.OutcomeReady || l.By != "engine-test" || len(rep.History) != 1 {
		t.Errorf("last deploy %+v (history %s), want revision 1, ready, by engine-test", l, outcomes(rep.History))
	}
	cm := object.Ref{Kind: "ConfigMap", Namespace: ns, Name: "settings"}
	web := object.Ref{Group: "apps", Kind: "Deployment", Namespace: ns, Name: "web"}
	if got := states(rep); !reflect.DeepEqual(got, map[object.Ref]status.Status{cm: status.Current, web: status.Current}) {
		t.Errorf("objects %v, want the ConfigMap and the Deployment, Current", got)
	}

	if err := c.Clientset().CoreV1().ConfigMaps(ns).Delete(ctx, "settings", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err = engine.Status(ctx, target, cluster)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if got := states(rep); got[cm] != status.NotFound || got[web] != status.Current {
		t.Errorf("objects after the ConfigMap was deleted %v, want it NotFound", got)
	}

	_, err = engine.Status(ctx, &engine.Target{Dir: target.Dir}, cluster)
	if !errors.As(err, new(*engine.OptionError)) || exitcode.Of(err) != exitcode.Usage {
		t.Errorf("status of a bare directory: %v (exit %d), want an *OptionError, exit 2", err, exitcode.Of(err))
	}
}

func states(rep *engine.StatusReport) map[object.Ref]status.Status {
	out := map[object.Ref]status.Status{}
	for _, o := range rep.Objects {
		out[o.Ref] = o.Status
	}
	return out
}

// Rollback with nothing saved before the current revision is a
// *ClusterError (exit 4) that says so, and writes nothing. After a second
// good deploy, it re-applies the first under the lock: the ConfigMap's
// value returns, the history records a new revision rolled back to 1, and
// the result says so.
func TestRollbackReappliesThePreviousRevision(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	dir := t.TempDir()
	target := app{}.target(t, dir, ns, contextOf(c))
	if _, err := engine.Deploy(ctx, target, options(c, &recorder{})); err != nil {
		t.Fatal(err)
	}

	_, err := engine.Rollback(ctx, target, 0, options(c, &recorder{}))
	var ce *engine.ClusterError
	if !errors.As(err, &ce) || !errors.Is(err, engine.ErrNothingToRollBackTo) || exitcode.Of(err) != exitcode.Apply {
		t.Errorf("rollback of the only revision: %v (%T, exit %d), want a *ClusterError: nothing to roll back to, exit 4", err, err, exitcode.Of(err))
	}
	if h := stateOf(t, c, ns).History; len(h) != 1 {
		t.Errorf("history after the refused rollback %s, want revision 1 only", outcomes(h))
	}

	if _, err := engine.Deploy(ctx, app{Value: "two"}.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
		t.Fatal(err)
	}
	if got := level(t, c, ns); got != "two" {
		t.Fatalf("LEVEL %q after the second deploy, want two", got)
	}
	rec := &recorder{}
	res, err := engine.Rollback(ctx, target, 0, options(c, rec))
	if err != nil {
		t.Fatalf("rollback: %v (events %s)", err, rec.types())
	}
	if got := level(t, c, ns); got != "one" {
		t.Errorf("LEVEL %q after the rollback, want one", got)
	}
	if res.Revision != 3 || !res.Rollback.Succeeded() || res.Rollback.To != 1 || res.Rollback.Revision != 3 || res.Deploy == nil {
		t.Errorf("result: revision %d, rollback %+v; want revision 3, rolled back to 1", res.Revision, res.Rollback)
	}
	h := stateOf(t, c, ns).History
	if r := revision(h, 3); r == nil || r.Outcome != inventory.OutcomeRolledBack || r.RollbackOf != 1 || !r.Saved {
		t.Errorf("history %s, want revision 3 rolled back to 1, saved", outcomes(h))
	}
	if a := rec.of(event.LockAcquired); len(a) != 1 || rec.index(event.LockAcquired) > rec.index(event.PhaseStarted) {
		t.Errorf("events %s, want the lock taken before the rollback's first phase", rec.types())
	}
	if info, err := lock.Current(ctx, kubeClient(t, c), ns, "test"); err != nil || info != nil {
		t.Errorf("lock after the rollback: %+v, %v; want it released", info, err)
	}
}

// Unlock deletes the environment's Lease whoever holds it and returns who
// did; with no lock held it returns nil. A deploy after it takes the lock
// without waiting.
func TestUnlockBreaksAHeldLock(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	k := kubeClient(t, c)
	target := app{}.target(t, t.TempDir(), ns, contextOf(c))
	cluster := engine.Cluster{Kubeconfig: c.Kubeconfig()}

	held, err := lock.Acquire(ctx, k, ns, "test", lock.Options{Holder: "stuck-deploy", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release(ctx)
	info, err := engine.Unlock(ctx, target, cluster)
	if err != nil || info == nil || info.Holder != "stuck-deploy" {
		t.Fatalf("unlock: %+v, %v; want stuck-deploy's lock", info, err)
	}
	if cur, err := lock.Current(ctx, k, ns, "test"); err != nil || cur != nil {
		t.Errorf("lock after unlock: %+v, %v; want none", cur, err)
	}
	if info, err := engine.Unlock(ctx, target, cluster); err != nil || info != nil {
		t.Errorf("unlock with no lock held: %+v, %v; want nil, nil", info, err)
	}

	rec := &recorder{}
	opts := options(c, rec)
	opts.LockWait = 0
	if _, err := engine.Deploy(ctx, target, opts); err != nil {
		t.Fatalf("deploy after unlock: %v", err)
	}
	if rec.index(event.LockWaiting) >= 0 || !strings.Contains(rec.types(), string(event.LockAcquired)) {
		t.Errorf("events %s, want the lock acquired without waiting", rec.types())
	}
}
