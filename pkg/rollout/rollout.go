package rollout

import (
	"context"
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
	held, err := lock.Acquire(ctx, client, opts.Namespace, opts.Env, opts.Lock)
	if err != nil {
		return r.res, &LockError{Err: err}
	}
	defer func() { _ = held.Release(context.WithoutCancel(ctx)) }()
	return r.res, r.run(ctx, objs)
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
	res, deployErr := deploy.Run(ctx, r.client, labelled, r.opts.Deploy)
	r.res.Deploy = res
	if deployErr != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, 0)
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
	members, err := r.inv.Members(ctx, state)
	if err != nil {
		return &deploy.Error{Phase: deploy.PhaseNamespaces, Stage: deploy.StageApply, Err: err}
	}
	return prune.NewPlan(members, objs, nil).Check(r.maxShare(), r.opts.AllowMassPrune)
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
	members, err := r.inv.Members(ctx, state)
	if err != nil {
		return &PruneError{Err: err}
	}
	used, err := prune.InUse(ctx, r.client, objs)
	if err != nil {
		return &PruneError{Err: err}
	}
	plan := prune.NewPlan(members, objs, used)
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
	saved := r.inv.SaveRelease(ctx, rev, objs) == nil
	r.record(ctx, state, rev, outcome, saved, rollbackOf)
	keep := map[int]bool{}
	for i := len(state.History) - 1; i >= 0 && len(keep) < inventory.KeepReleases; i-- {
		if h := state.History[i]; h.Saved {
			keep[h.Revision] = true
		}
	}
	return r.inv.ForgetReleases(ctx, keep)
}

func (r *runner) record(ctx context.Context, state *inventory.State, rev int, outcome string, saved bool, rollbackOf int) {
	rec := inventory.Record{Revision: rev, Time: time.Now().UTC(), By: r.opts.By, Images: r.opts.Images, Outcome: outcome, Saved: saved, RollbackOf: rollbackOf}
	if last := state.Last(); last != nil && last.Revision == rev {
		rec.Objects, rec.Images = last.Objects, last.Images
	}
	state.Add(rec)
	if err := r.inv.Write(context.WithoutCancel(ctx), state); err != nil {
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
