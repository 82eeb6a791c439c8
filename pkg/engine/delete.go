package engine

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/lock"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/prune"
)

// DeleteOptions says how to delete an environment.
type DeleteOptions struct {
	// Cluster names the kubeconfig and context; the guard checks them.
	Cluster Cluster
	// DryRun plans the delete and returns, deleting nothing.
	DryRun bool
	// Timeout bounds the wait for the members to go (0: no bound).
	Timeout time.Duration
	// LockWait, LockTTL and By are as in Options: the delete holds the
	// environment's deploy lock, so that no deploy runs meanwhile.
	LockWait, LockTTL time.Duration
	By                string
	// Confirm, when set, is called with the plan once the guard has passed
	// and before anything is deleted; its error stops the delete.
	Confirm func(*DeletePlan) error
}

// DeletePlan is what deleting an environment removes.
type DeletePlan struct {
	Environment string
	// Context and Server are the cluster it is deleted from.
	Context, Server string
	// Objects are the members, in the order they are deleted: the reverse
	// of the deploy's phases. Namespaces come last, once their contents are
	// gone, and only if kship manages nothing else there (see Report).
	Objects []object.Ref
	// Inventory names the inventory Secret; "" when the environment has none.
	Inventory string
	// Revisions is the number of deploys saved for rollback.
	Revisions int
	// Unlisted are kinds this identity may not list: their members cannot
	// be found, so they are not deleted.
	Unlisted []string
}

// Empty reports whether kship manages nothing in the environment: no
// inventory, no members.
func (p *DeletePlan) Empty() bool { return p.Inventory == "" && len(p.Objects) == 0 }

// DeleteReport is what a delete did.
type DeleteReport struct {
	Plan DeletePlan
	// Deleted are the members that are gone.
	Deleted []object.Ref
	// KeptNamespaces are member namespaces that still hold objects kship
	// does not manage, with up to a few of those objects named.
	KeptNamespaces []KeptNamespace
}

// KeptNamespace is a namespace a delete left in place, and why.
type KeptNamespace struct {
	Name string
	// Holds names objects in it that kship does not manage.
	Holds []string
}

// Delete removes everything kship manages for t's environment: its
// members, in the reverse of the deploy's phases, waiting until each is
// gone; then its saved revisions, its inventory and its lock; then the
// namespaces it deployed, unless they hold objects kship does not manage.
// The guard applies first; the delete holds the deploy lock.
func Delete(ctx context.Context, t *Target, opts DeleteOptions) (*DeleteReport, error) {
	r := &runner{opts: Options{Cluster: opts.Cluster, LockWait: opts.LockWait, LockTTL: opts.LockTTL, By: opts.By}, target: t}
	if err := r.connectEnv(ctx); err != nil {
		return nil, err
	}
	rep := &DeleteReport{}
	state, members, err := r.planDelete(ctx, &rep.Plan)
	if err != nil {
		return rep, err
	}
	if opts.DryRun || rep.Plan.Empty() {
		return rep, nil
	}
	if opts.Confirm != nil {
		if err := opts.Confirm(&rep.Plan); err != nil {
			return rep, err
		}
	}
	_, unlock, err := r.lock(ctx)
	if err != nil {
		return rep, r.interrupted(ctx, err)
	}
	release := sync.OnceFunc(unlock)
	defer release()
	work, namespaces := splitNamespaces(members)
	dctx := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	out, err := prune.Execute(dctx, r.client, &prune.Plan{Delete: work})
	rep.Deleted = append(rep.Deleted, out.Deleted...)
	if err == nil && len(out.Terminating)+len(out.Skipped) > 0 {
		err = &StepError{Step: "delete", Err: stillThere(out)}
	}
	if err != nil {
		r.keepMembers(ctx, state, out.Deleted)
		return rep, r.interrupted(ctx, asStep(err))
	}
	if err := r.forget(ctx); err != nil {
		return rep, r.interrupted(ctx, err)
	}
	release()
	err = r.deleteNamespaces(dctx, namespaces, rep)
	return rep, r.interrupted(ctx, err)
}

// planDelete lists the members and fills in plan.
func (r *runner) planDelete(ctx context.Context, plan *DeletePlan) (*inventory.State, []inventory.Member, error) {
	plan.Environment, plan.Context, plan.Server = r.env, r.client.Context, r.client.Server
	state, err := r.inv.Load(ctx)
	if err != nil {
		return nil, nil, &ClusterError{Err: err}
	}
	if state.Exists {
		plan.Inventory = r.inv.String()
	}
	for _, h := range state.History {
		if h.Saved {
			plan.Revisions++
		}
	}
	members, unlisted, err := r.inv.Members(ctx, state)
	if err != nil {
		return nil, nil, &ClusterError{Err: err}
	}
	for _, u := range unlisted {
		plan.Unlisted = append(plan.Unlisted, fmt.Sprintf("%s: %s", u.GroupKind, u.Denied.Advice()))
	}
	sort.SliceStable(members, func(i, j int) bool {
		ri, rj := deploy.Rank(members[i].Ref.GroupKind(), members[i].Annotations), deploy.Rank(members[j].Ref.GroupKind(), members[j].Annotations)
		if ri != rj {
			return ri > rj
		}
		return members[i].Ref.String() < members[j].Ref.String()
	})
	for _, m := range members {
		plan.Objects = append(plan.Objects, m.Ref)
	}
	return state, members, nil
}

// splitNamespaces separates the member Namespaces, deleted last, from the
// rest.
func splitNamespaces(members []inventory.Member) (rest []inventory.Member, namespaces []inventory.Member) {
	for _, m := range members {
		if m.Ref.Group == "" && m.Ref.Kind == "Namespace" {
			namespaces = append(namespaces, m)
		} else {
			rest = append(rest, m)
		}
	}
	return rest, namespaces
}

func stillThere(out prune.Outcome) error {
	var names []string
	for _, t := range out.Terminating {
		names = append(names, t.String()+" (still terminating: a finalizer holds it?)")
	}
	for _, s := range out.Skipped {
		names = append(names, s.Ref.String()+" ("+s.Reason+")")
	}
	return fmt.Errorf("not deleted: %v; the inventory keeps them: run kship delete again once they can go", names)
}

func asStep(err error) error {
	if _, ok := err.(*StepError); ok {
		return err
	}
	return &StepError{Step: "delete", Err: err}
}

// keepMembers narrows the inventory to the members not deleted, so that
// another delete finds them.
func (r *runner) keepMembers(ctx context.Context, state *inventory.State, deleted []object.Ref) {
	remain := map[object.Ref]inventory.Recorded{}
	for ref, rec := range state.Members {
		remain[ref] = rec
	}
	for _, d := range deleted {
		delete(remain, d)
	}
	state.Narrow(remain, r.namespace)
	_ = r.inv.Write(context.WithoutCancel(ctx), state)
}

// forget deletes the environment's saved revisions and its inventory; the
// lock goes when it is released.
func (r *runner) forget(ctx context.Context) error {
	if err := r.inv.ForgetReleases(ctx, map[int]bool{}); err != nil {
		return &StepError{Step: "saved revisions", Err: err}
	}
	if err := r.inv.Delete(ctx); err != nil {
		return &StepError{Step: "inventory", Err: fmt.Errorf("deleting Secret/%s/%s: %w", r.inv.Namespace, r.inv.Name, err)}
	}
	return nil
}

// lockName is the Lease that holds env's deploy lock, for what delete ignores.
func lockName(env string) string { return lock.Name(env) }
