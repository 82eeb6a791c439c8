package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/prune"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// checkPrune refuses, before anything is written, a deploy that would
// prune too much.
func (r *runner) checkPrune(ctx context.Context, state *inventory.State, objs []*unstructured.Unstructured) error {
	if !r.opts.Prune || !state.Exists {
		return nil
	}
	plan, err := r.planFor(ctx, state, objs)
	if err != nil {
		return &StepError{Step: "prune plan", Err: err}
	}
	return plan.Check(r.maxShare(), r.opts.AllowMassPrune)
}

// planFor lists the members and decides what pruning them against objs
// would delete: members not in objs, except what retained ReplicaSets use,
// what is annotated to be kept, and namespaces that still hold objects.
// Kinds whose members this identity may not list are noted once each.
func (r *runner) planFor(ctx context.Context, state *inventory.State, objs []*unstructured.Unstructured) (*prune.Plan, error) {
	members, unlisted, err := r.inv.Members(ctx, state)
	if err != nil {
		return nil, err
	}
	r.unlisted = map[schema.GroupKind]bool{}
	for _, u := range unlisted {
		if !r.unlisted[u.GroupKind] {
			r.emit(event.Event{Type: event.Warning, Message: fmt.Sprintf("kship may not list %s objects, so it neither prunes nor reports those it deployed earlier: %s", u.GroupKind, u.Denied.Advice())})
		}
		r.unlisted[u.GroupKind] = true
	}
	keep, err := prune.InUse(ctx, r.client, objs)
	if err != nil {
		return nil, err
	}
	// Deleting a namespace deletes everything in it, the inventory and the
	// lock included: never prune one the environment still uses.
	inUse := map[string]bool{r.namespace: true}
	for _, o := range objs {
		inUse[o.GetNamespace()] = true
	}
	for ns := range inUse {
		if ns != "" {
			keep[object.Ref{Kind: "Namespace", Name: ns}] = "namespace still holds objects of this environment"
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

func (r *runner) pruneTimeout() time.Duration {
	if r.opts.PruneTimeout > 0 {
		return r.opts.PruneTimeout
	}
	return max(r.opts.Timeout/2, DefaultPruneTimeout)
}

// pruneAfter deletes what left the build, once the rollout is ready, within
// the prune's time, and narrows the inventory to what remains: the build,
// what was kept, and what is still terminating.
func (r *runner) pruneAfter(ctx context.Context, state *inventory.State, objs []*unstructured.Unstructured) error {
	if !r.opts.Prune {
		return nil // without pruning, the old members stay members
	}
	if err := r.held.Valid(); err != nil {
		return err
	}
	plan, err := r.planFor(ctx, state, objs)
	if err != nil {
		return &PruneError{Err: err}
	}
	r.res.KeptFromPrune = plan.Kept
	pctx, cancel := context.WithTimeout(ctx, r.pruneTimeout())
	defer cancel()
	out, err := prune.Execute(pctx, r.client, plan)
	out.Terminating = append(out.Terminating, plan.Terminating...)
	r.res.Pruned = append(r.res.Pruned, out.Deleted...)
	r.res.Terminating = append(r.res.Terminating, out.Terminating...)
	for _, p := range out.Deleted {
		r.emit(event.Event{Type: event.Pruned, Object: p})
	}
	for _, p := range out.Terminating {
		r.emit(event.Event{Type: event.PruneHeld, Object: p})
	}
	for _, s := range out.Skipped {
		r.emit(event.Event{Type: event.PruneSkipped, Object: s.Ref, Reason: s.Reason})
	}
	remain := map[object.Ref]inventory.Recorded{}
	for _, o := range objs {
		remain[object.RefOf(o)] = state.Members[object.RefOf(o)]
	}
	for _, k := range plan.Kept {
		r.emit(event.Event{Type: event.Kept, Object: k.Ref, Reason: k.Reason})
		remain[k.Ref] = state.Members[k.Ref]
	}
	for _, t := range append(out.Terminating, refsOf(out.Skipped)...) {
		remain[t] = state.Members[t]
	}
	for ref, rec := range state.Members {
		if r.unlisted[ref.GroupKind()] {
			remain[ref] = rec // not seen, so not pruned: still a member
		}
	}
	if err != nil {
		for _, m := range plan.Delete {
			remain[m.Ref] = state.Members[m.Ref] // not known to be gone
		}
		for _, d := range out.Deleted {
			delete(remain, d)
		}
		state.Narrow(remain, r.namespace)
		return &PruneError{Err: err}
	}
	state.Narrow(remain, r.namespace)
	return nil
}

func refsOf(kept []prune.Kept) []object.Ref {
	out := make([]object.Ref, len(kept))
	for i, k := range kept {
		out[i] = k.Ref
	}
	return out
}
