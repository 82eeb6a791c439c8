package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/inventory"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ErrNothingToRollBackTo says no earlier good deploy is saved.
var ErrNothingToRollBackTo = errors.New("no earlier successful deploy is saved to roll back to")

// The outcomes of an automatic rollback.
const (
	// RolledBack: the environment runs the earlier revision again.
	RolledBack = "rolled-back"
	// RollbackFailed: the rollback was attempted and failed too; the
	// environment is in a mixed state, part failed revision, part earlier.
	RollbackFailed = "failed"
	// RollbackNotAttempted: there was nothing to roll back to, or the deploy
	// was interrupted; the environment stays as the failed deploy left it.
	RollbackNotAttempted = "not-attempted"
)

// RollbackReport is what an automatic rollback did.
type RollbackReport struct {
	// To is the revision it returned to, or tried to; 0 when none.
	To int `json:"to,omitempty"`
	// Revision is the rollback's own revision in the history.
	Revision int `json:"revision,omitempty"`
	// Outcome is RolledBack, RollbackFailed or RollbackNotAttempted.
	Outcome string `json:"outcome"`
	// Reason says why it failed or was not attempted.
	Reason string `json:"reason,omitempty"`
	// Mixed is set when a failed rollback applied some of the earlier
	// revision: the environment runs parts of both. When it is not set, a
	// failed rollback changed nothing.
	Mixed bool `json:"mixedState,omitempty"`
	// Result is the rollback's own deploy.
	Result *deploy.Result `json:"result,omitempty"`
}

// Succeeded reports whether the environment runs the earlier revision again.
func (r *RollbackReport) Succeeded() bool { return r != nil && r.Outcome == RolledBack }

// rollbackAfter returns to the last good deploy after revision failed did;
// what happened goes to the Result and a note.
func (r *runner) rollbackAfter(ctx context.Context, state *inventory.State, failed int, res *deploy.Result) {
	rep := &RollbackReport{Outcome: RollbackNotAttempted}
	r.res.Rollback = rep
	target := state.LastGood()
	switch {
	case r.lost(ctx) != nil:
		rep.Reason = "the deploy lock was lost"
	case ctx.Err() != nil:
		rep.Reason = fmt.Sprintf("the deploy was interrupted (%v)", context.Cause(ctx))
	case target == nil:
		rep.Reason = ErrNothingToRollBackTo.Error()
	}
	if rep.Reason != "" {
		r.emit(event.Event{Type: event.RollbackSkipped, Reason: rep.Reason, Failed: failed})
		return
	}
	rep.To = target.Revision
	r.emit(event.Event{Type: event.RollbackStarted, Revision: target.Revision, Failed: failed, By: target.By, Deployed: target.Time})
	err := r.rollbackTo(ctx, state, target, rep)
	if err != nil {
		rep.Outcome, rep.Reason, rep.Mixed = RollbackFailed, err.Error(), appliedAny(rep.Result)
		r.emit(event.Event{Type: event.RollbackFailed, Revision: target.Revision, Failed: failed, Mixed: rep.Mixed, Error: err.Error()})
		return
	}
	rep.Outcome = RolledBack
	r.emit(event.Event{Type: event.RollbackDone, Revision: target.Revision, Failed: failed})
}

// rollbackTo re-applies a saved revision, waits, prunes what it lacks, and
// records it as a new revision. Pre-deploy Jobs are not run again: running
// an older migration does not undo a newer one, and when the failed deploy
// stopped at its own migration, no workload changed that would need it.
func (r *runner) rollbackTo(ctx context.Context, state *inventory.State, target *inventory.Record, rep *RollbackReport) error {
	objs, err := r.inv.LoadRelease(ctx, target.Revision)
	if err != nil {
		return err
	}
	rev := state.Next()
	rep.Revision = rev
	before := maps.Clone(state.Members)
	// As for a deploy: record where its objects will be before applying them.
	state.Union(objs)
	state.Add(inventory.Record{Revision: rev, Time: time.Now().UTC(), By: r.opts.By, Images: imagesOf(objs),
		Outcome: inventory.OutcomeInProgress, Objects: len(objs), RollbackOf: target.Revision})
	if err := r.inv.Write(ctx, state); err != nil {
		return &StepError{Step: "inventory", Err: err}
	}
	opts := r.deployOptions()
	opts.Apply.Force = true // the saved state was kship's; take it back
	opts.Apply.Owner = r.inv.ID
	plan, err := deploy.Prepare(ctx, r.client, withoutHooks(objs), opts)
	if err == nil {
		var res *deploy.Result
		res, err = r.applyAndWait(ctx, plan)
		rep.Result = res
	} else {
		rep.Result = plan.Checked
	}
	if err != nil {
		state.Narrow(remaining(before, state.Members, rep.Result), r.namespace)
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, target.Revision)
		return err
	}
	// The Jobs left out are still wanted: not pruned.
	if err := r.pruneAfter(ctx, state, objs); err != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, target.Revision)
		return err
	}
	r.images = imagesOf(objs)
	return r.save(ctx, state, rev, objs, inventory.OutcomeRolledBack, target.Revision)
}

// appliedAny reports whether a deploy applied any object.
func appliedAny(res *deploy.Result) bool {
	if res == nil || res.DryRun {
		return false
	}
	for _, o := range res.Objects {
		if o.Action != "" && o.Error == "" {
			return true
		}
	}
	return false
}

// withoutHooks returns objs without the pre- and post-deploy Jobs: a
// migration is not run backwards, and a smoke test of a revision that was
// good once is not what decides whether going back to it worked.
func withoutHooks(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if deploy.IsHook(o) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// Rollback re-applies the previous good deploy of t's environment (or
// revision to, when not 0), under the deploy lock, waits for it, and
// prunes what it lacks. Of opts, it uses Cluster, Timeout, LockWait,
// LockTTL, By and OnEvent.
func Rollback(ctx context.Context, t *Target, to int, opts Options) (*Result, error) {
	opts.Prune, opts.MaxPruneShare, opts.AllowMassPrune = true, 1, true
	r := newRunner(t, opts)
	if err := r.connectEnv(ctx); err != nil {
		return r.res, err
	}
	locked, release, err := r.lock(ctx)
	if err != nil {
		return r.res, r.interrupted(ctx, err)
	}
	defer release()
	return r.res, r.interrupted(ctx, r.rollback(locked, to))
}

// rollback is Rollback under the lock.
func (r *runner) rollback(ctx context.Context, to int) error {
	state, err := r.load(ctx)
	if err != nil {
		return err
	}
	target := state.RollbackTarget()
	if to != 0 {
		target = nil
		for i := range state.History {
			if h := &state.History[i]; h.Revision == to && h.Saved {
				target = h
			}
		}
		if target == nil {
			return &ClusterError{Err: fmt.Errorf("revision %d of %s is not saved: kship keeps the last %d good deploys (see kship status %s)", to, r.env, inventory.KeepReleases, r.env)}
		}
	}
	if target == nil {
		return &ClusterError{Err: ErrNothingToRollBackTo}
	}
	rep := &RollbackReport{To: target.Revision}
	r.res.Rollback = rep
	err = r.rollbackTo(ctx, state, target, rep)
	r.res.Revision, r.res.Deploy = rep.Revision, rep.Result
	if err != nil {
		rep.Outcome, rep.Reason = RollbackFailed, err.Error()
		return r.lostLock(ctx, &RollbackError{Revision: target.Revision, Err: err})
	}
	rep.Outcome = RolledBack
	return nil
}
