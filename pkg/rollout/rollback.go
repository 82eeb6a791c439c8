package rollout

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
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
		r.note("not rolling back: %s", rep.Reason)
		return
	}
	rep.To = target.Revision
	r.note("rolling back to revision %d (deployed %s by %s)", target.Revision, target.Time.Format(time.RFC3339), target.By)
	err := r.rollbackTo(ctx, state, target, rep)
	if err != nil {
		rep.Outcome, rep.Reason, rep.Mixed = RollbackFailed, err.Error(), appliedAny(rep.Result)
		if rep.Mixed {
			r.note("%v: the environment is in a mixed state, part revision %d, part revision %d", &RollbackError{Revision: target.Revision, Err: err}, failed, target.Revision)
		} else {
			r.note("%v: it changed nothing; the environment runs the failed revision %d", &RollbackError{Revision: target.Revision, Err: err}, failed)
		}
		return
	}
	rep.Outcome = RolledBack
	r.note("rolled back to revision %d: revision %d failed, the environment runs revision %d again", target.Revision, failed, target.Revision)
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
	state.Add(inventory.Record{Revision: rev, Time: time.Now().UTC(), By: r.opts.By, Images: Images(objs),
		Outcome: inventory.OutcomeInProgress, Objects: len(objs), RollbackOf: target.Revision})
	if err := r.inv.Write(ctx, state); err != nil {
		return &StepError{Step: "inventory", Err: err}
	}
	opts := r.opts.Deploy
	opts.Apply.Force = true // the saved state was kship's; take it back
	opts.Apply.Owner = r.inv.ID
	plan, err := deploy.Prepare(ctx, r.client, withoutPreDeploy(objs), opts)
	if err == nil {
		var res *deploy.Result
		res, err = r.applyAndWait(ctx, plan)
		rep.Result = res
	} else {
		rep.Result = plan.Checked
	}
	if err != nil {
		state.Narrow(remaining(before, state.Members, rep.Result), r.opts.Namespace)
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, target.Revision)
		return err
	}
	// The Jobs left out are still wanted: not pruned.
	if err := r.pruneAfter(ctx, state, objs); err != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, target.Revision)
		return err
	}
	r.opts.Images = Images(objs)
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

// withoutPreDeploy returns objs without the pre-deploy Jobs.
func withoutPreDeploy(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetAnnotations()[deploy.PhaseAnnotation] == deploy.PreDeploy {
			continue
		}
		out = append(out, o)
	}
	return out
}

// Rollback re-applies the environment's previous good deploy (or revision
// to, when not 0), under the deploy lock, and waits for it.
func Rollback(ctx context.Context, client *kube.Client, to int, opts Options) (*Result, error) {
	r := newRunner(client, opts)
	ctx, release, err := r.lock(ctx)
	if err != nil {
		return r.res, err
	}
	defer release()
	state, err := r.load(ctx)
	if err != nil {
		return r.res, err
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
			return r.res, fmt.Errorf("revision %d of %s is not saved: kship keeps the last %d good deploys (see kship status %s)", to, opts.Env, inventory.KeepReleases, opts.Env)
		}
	}
	if target == nil {
		return r.res, ErrNothingToRollBackTo
	}
	rep := &RollbackReport{To: target.Revision}
	r.res.Rollback = rep
	err = r.rollbackTo(ctx, state, target, rep)
	r.res.Revision, r.res.Deploy = rep.Revision, rep.Result
	if err != nil {
		rep.Outcome, rep.Reason = RollbackFailed, err.Error()
		return r.res, r.lostLock(ctx, &RollbackError{Revision: target.Revision, Err: err})
	}
	rep.Outcome = RolledBack
	return r.res, nil
}
