package rollout

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
	"github.com/kship/kship/pkg/prune"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Options says how to roll out.
type Options struct {
	// Env names the environment; Namespace is where its inventory and lock live.
	Env       string
	Namespace string
	// Deploy says how to apply and wait; Deploy.Apply.DryRun makes it a plan.
	Deploy deploy.Options
	// Timeout bounds each apply-and-wait (the deploy, and a rollback after
	// it): not the wait for the lock, nor the prune and bookkeeping.
	Timeout time.Duration
	// Prune deletes members that left the build, after the rollout is ready.
	Prune bool
	// MaxPruneShare and AllowMassPrune guard against deleting too much.
	MaxPruneShare  float64
	AllowMassPrune bool
	// RollbackOnFailure re-applies the last good deploy when this one fails.
	RollbackOnFailure bool
	// Lock says how to take the deploy lock.
	Lock lock.Options
	// By and Images are recorded in the history.
	By     string
	Images []string
	// OnNote, when set, receives one-line notes: lock waits, prunes, rollbacks.
	OnNote func(string)
}

// Result is what a rollout did.
type Result struct {
	Revision int
	Deploy   *deploy.Result
	// Pruned are the objects deleted; WouldPrune what a dry run would delete.
	Pruned     []apply.Ref
	WouldPrune []apply.Ref
	// KeptFromPrune are members not in the build that stayed, with why.
	KeptFromPrune []prune.Kept
	// RolledBackTo is the revision a rollback returned to, 0 if none.
	RolledBackTo int
	Rollback     *deploy.Result
}

// Run rolls objs out. The objects' namespaces must already be defaulted
// (see DefaultNamespaces). On failure the error is the deploy's (or the
// prune's); a rollback's outcome is on the Result and in a note.
func Run(ctx context.Context, client *kube.Client, objs []*unstructured.Unstructured, opts Options) (*Result, error) {
	r := &runner{client: client, opts: opts, inv: inventory.New(client, opts.Env, opts.Namespace), res: &Result{}}
	if opts.Deploy.Apply.DryRun {
		return r.res, r.dryRun(ctx, objs)
	}
	if err := r.ensureNamespace(ctx, objs); err != nil {
		return r.res, &deploy.Error{Phase: deploy.PhaseNamespaces, Stage: deploy.StageApply, Err: err}
	}
	ctx, release, err := r.lock(ctx)
	if err != nil {
		return r.res, err
	}
	defer release()
	return r.res, r.run(ctx, objs)
}

// lock takes the deploy lock and returns a context that is cancelled if the
// lock is lost (taken over, or not renewed in time) while the deploy runs.
func (r *runner) lock(ctx context.Context) (context.Context, func(), error) {
	held, err := lock.Acquire(ctx, r.client, r.opts.Namespace, r.opts.Env, r.opts.Lock)
	if err != nil {
		return nil, nil, &LockError{Err: err}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case err := <-held.Lost():
			cancel(&LockError{Err: err})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		cancel(nil)
		_ = held.Release(kube.Cleanup(ctx))
	}, nil
}

// lockLost returns the LockError when ctx was cancelled because the deploy
// lock was lost.
func lockLost(ctx context.Context) error {
	var le *LockError
	if errors.As(context.Cause(ctx), &le) {
		return le
	}
	return nil
}

// applyAndWait runs one phased deploy of objs within the timeout.
func (r *runner) applyAndWait(ctx context.Context, objs []*unstructured.Unstructured, opts deploy.Options) (*deploy.Result, error) {
	if r.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.opts.Timeout)
		defer cancel()
	}
	return deploy.Run(ctx, r.client, objs, opts)
}

// LockError says the deploy lock could not be taken.
type LockError struct{ Err error }

func (e *LockError) Error() string { return "deploy lock: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *LockError) Unwrap() error { return e.Err }

type runner struct {
	client *kube.Client
	opts   Options
	inv    *inventory.Inventory
	res    *Result
}

func (r *runner) note(format string, a ...any) {
	if r.opts.OnNote != nil {
		r.opts.OnNote(fmt.Sprintf(format, a...))
	}
}

func (r *runner) run(ctx context.Context, objs []*unstructured.Unstructured) error {
	state, err := r.inv.Load(ctx)
	if err != nil {
		return &deploy.Error{Phase: deploy.PhaseNamespaces, Stage: deploy.StageApply, Err: err}
	}
	if err := r.checkPrune(ctx, state, objs); err != nil {
		return err
	}
	rev := state.Next()
	r.res.Revision = rev
	// Record where the new members will be before creating any of them.
	state.Union(inventory.Span(objs))
	state.Add(inventory.Record{Revision: rev, Time: time.Now().UTC(), By: r.opts.By, Images: r.opts.Images,
		Outcome: inventory.OutcomeInProgress, Objects: len(objs)})
	if err := r.inv.Write(ctx, state); err != nil {
		return &deploy.Error{Phase: deploy.PhaseNamespaces, Stage: deploy.StageApply, Err: err}
	}
	labelled := r.inv.Label(objs)
	res, deployErr := r.applyAndWait(ctx, labelled, r.opts.Deploy)
	r.res.Deploy = res
	if err := lockLost(ctx); err != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, 0)
		return err
	}
	if deployErr != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, 0)
		// A timeout rolls back too; an interruption (signal) does not.
		if r.opts.RollbackOnFailure && ctx.Err() == nil {
			r.rollbackAfter(ctx, state, rev)
		}
		return deployErr
	}
	if err := r.pruneAfter(ctx, state, labelled); err != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, 0)
		return err
	}
	return r.save(ctx, state, rev, labelled, inventory.OutcomeReady, 0)
}

// checkPrune refuses, before anything is written, a deploy that would
// prune too much.
func (r *runner) checkPrune(ctx context.Context, state *inventory.State, objs []*unstructured.Unstructured) error {
	if !r.opts.Prune || !state.Exists {
		return nil
	}
	plan, err := r.planFor(ctx, state, objs)
	if err != nil {
		return &deploy.Error{Phase: deploy.PhaseNamespaces, Stage: deploy.StageApply, Err: err}
	}
	return plan.Check(r.maxShare(), r.opts.AllowMassPrune)
}

// planFor lists the members and decides what pruning them against objs
// would delete: members not in objs, except what retained ReplicaSets use,
// what is annotated to be kept, and namespaces that still hold objects.
func (r *runner) planFor(ctx context.Context, state *inventory.State, objs []*unstructured.Unstructured) (*prune.Plan, error) {
	members, err := r.inv.Members(ctx, state)
	if err != nil {
		return nil, err
	}
	keep, err := prune.InUse(ctx, r.client, objs)
	if err != nil {
		return nil, err
	}
	// Deleting a namespace deletes everything in it, the inventory and the
	// lock included: never prune one the environment still uses.
	inUse := map[string]bool{r.opts.Namespace: true}
	for _, o := range objs {
		inUse[o.GetNamespace()] = true
	}
	for ns := range inUse {
		if ns != "" {
			keep[apply.Ref{Kind: "Namespace", Name: ns}] = "namespace still holds objects of this environment"
		}
	}
	return prune.NewPlan(members, objs, keep), nil
}

func (r *runner) maxShare() float64 {
	if r.opts.MaxPruneShare > 0 {
		return r.opts.MaxPruneShare
	}
	return prune.DefaultMaxShare
}

// pruneAfter deletes what left the build, once the rollout is ready, and
// narrows the inventory to what remains.
func (r *runner) pruneAfter(ctx context.Context, state *inventory.State, objs []*unstructured.Unstructured) error {
	if !r.opts.Prune {
		return nil // without pruning, the old members stay members
	}
	plan, err := r.planFor(ctx, state, objs)
	if err != nil {
		return &PruneError{Err: err}
	}
	if err := lockLost(ctx); err != nil {
		return err
	}
	r.res.KeptFromPrune = plan.Kept
	pruned, err := prune.Execute(ctx, r.client, plan)
	r.res.Pruned = append(r.res.Pruned, pruned...)
	for _, p := range pruned {
		r.note("%s pruned", p)
	}
	gks, nss := inventory.Span(objs)
	for _, k := range plan.Kept {
		r.note("%s kept: %s", k.Ref, k.Reason)
		gks[k.Ref.GroupKind()] = true
		nss[k.Ref.Namespace] = true
	}
	if err != nil {
		return &PruneError{Err: err}
	}
	state.GroupKinds, state.Namespaces = gks, map[string]bool{r.opts.Namespace: true}
	for ns := range nss {
		state.Namespaces[ns] = true
	}
	return nil
}

// PruneError says the rollout was ready but pruning failed.
type PruneError struct{ Err error }

func (e *PruneError) Error() string { return "prune: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *PruneError) Unwrap() error { return e.Err }

// save stores the manifests of a good deploy and records it.
func (r *runner) save(ctx context.Context, state *inventory.State, rev int, objs []*unstructured.Unstructured, outcome string, rollbackOf int) error {
	if err := lockLost(ctx); err != nil {
		return err
	}
	saved := true
	if err := r.inv.SaveRelease(ctx, rev, objs); err != nil {
		saved = false
		r.note("revision %d is deployed but could not be saved for rollback: %v", rev, err)
	}
	if last := state.Last(); last != nil && last.Revision == rev {
		last.Saved = saved // counted among the releases to keep
	}
	keep := map[int]bool{}
	for i := len(state.History) - 1; i >= 0; i-- {
		h := &state.History[i]
		if h.Saved && len(keep) < inventory.KeepReleases {
			keep[h.Revision] = true
		} else {
			h.Saved = false // its manifests are forgotten below
		}
	}
	if err := r.inv.ForgetReleases(ctx, keep); err != nil {
		r.note("could not delete old saved revisions: %v", err)
	}
	r.record(ctx, state, rev, outcome, saved, rollbackOf)
	return nil
}

func (r *runner) record(ctx context.Context, state *inventory.State, rev int, outcome string, saved bool, rollbackOf int) {
	rec := inventory.Record{Revision: rev, Time: time.Now().UTC(), By: r.opts.By, Images: r.opts.Images, Outcome: outcome, Saved: saved, RollbackOf: rollbackOf}
	if last := state.Last(); last != nil && last.Revision == rev {
		rec.Objects, rec.Images = last.Objects, last.Images
	}
	state.Add(rec)
	if err := r.inv.Write(kube.Cleanup(ctx), state); err != nil {
		r.note("could not record revision %d in the inventory: %v", rev, err)
	}
}

// Images lists the distinct container images of objs, for the history.
func Images(objs []*unstructured.Unstructured) []string {
	set := map[string]bool{}
	for _, o := range objs {
		for _, path := range [][]string{{"spec", "template", "spec"}, {"spec", "jobTemplate", "spec", "template", "spec"}, {"spec"}} {
			for _, field := range []string{"containers", "initContainers"} {
				cs, _, _ := unstructured.NestedSlice(o.Object, append(path, field)...)
				for _, c := range cs {
					if m, ok := c.(map[string]any); ok {
						if img, ok := m["image"].(string); ok {
							set[img] = true
						}
					}
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
