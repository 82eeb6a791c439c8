package rollout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
)

// ErrNothingToRollBackTo says no earlier good deploy is saved.
var ErrNothingToRollBackTo = errors.New("no earlier successful deploy is saved to roll back to")

// RollbackError says a rollback after a failed deploy failed too.
type RollbackError struct {
	Revision int
	Err      error
}

func (e *RollbackError) Error() string {
	return fmt.Sprintf("rollback to revision %d failed: %v", e.Revision, e.Err)
}

// Unwrap returns the cause.
func (e *RollbackError) Unwrap() error { return e.Err }

// rollbackAfter returns to the last good deploy after revision rev failed;
// its outcome goes to the Result and a note.
func (r *runner) rollbackAfter(ctx context.Context, state *inventory.State, failed int) {
	target := state.LastGood()
	if target == nil {
		r.note("not rolling back: %v", ErrNothingToRollBackTo)
		return
	}
	r.note("rolling back to revision %d (deployed %s by %s)", target.Revision, target.Time.Format(time.RFC3339), target.By)
	if err := r.rollbackTo(ctx, state, target); err != nil {
		r.note("%v", &RollbackError{Revision: target.Revision, Err: err})
		return
	}
	r.note("rolled back to revision %d: revision %d failed, the environment runs revision %d again", target.Revision, failed, target.Revision)
}

// rollbackTo re-applies a saved revision, waits, prunes what it lacks, and
// records it as a new revision.
func (r *runner) rollbackTo(ctx context.Context, state *inventory.State, target *inventory.Record) error {
	objs, err := r.inv.LoadRelease(ctx, target.Revision)
	if err != nil {
		return err
	}
	rev := state.Next()
	// As for a deploy: record where its objects will be before applying them.
	state.Union(inventory.Span(objs))
	state.Add(inventory.Record{Revision: rev, Time: time.Now().UTC(), By: r.opts.By, Images: Images(objs),
		Outcome: inventory.OutcomeInProgress, Objects: len(objs), RollbackOf: target.Revision})
	if err := r.inv.Write(ctx, state); err != nil {
		return err
	}
	opts := r.opts.Deploy
	opts.Apply.Force = true // the saved state was kship's; take it back
	res, err := r.applyAndWait(ctx, objs, opts)
	r.res.Rollback, r.res.RolledBackTo = res, target.Revision
	if err != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, target.Revision)
		return err
	}
	if err := r.pruneAfter(ctx, state, objs); err != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, target.Revision)
		return err
	}
	r.opts.Images = Images(objs)
	return r.save(ctx, state, rev, objs, inventory.OutcomeRolledBack, target.Revision)
}

// Rollback re-applies the environment's previous good deploy (or revision
// to, when not 0), under the deploy lock, and waits for it.
func Rollback(ctx context.Context, client *kube.Client, to int, opts Options) (*Result, error) {
	r := &runner{client: client, opts: opts, inv: inventory.New(client, opts.Env, opts.Namespace), res: &Result{}}
	ctx, release, err := r.lock(ctx)
	if err != nil {
		return r.res, err
	}
	defer release()
	state, err := r.inv.Load(ctx)
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
	r.res.Revision = state.Next()
	return r.res, r.rollbackTo(ctx, state, target)
}
