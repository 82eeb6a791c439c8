package rollout

import (
	"context"

	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/prune"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// dryRun asks the server to validate every object and lists what a real
// run would prune. It takes no lock and writes nothing.
func (r *runner) dryRun(ctx context.Context, objs []*unstructured.Unstructured) error {
	if r.opts.Prune {
		if err := r.planPrune(ctx, objs); err != nil {
			return err
		}
	}
	res, err := deploy.Run(ctx, r.client, r.inv.Label(objs), r.opts.Deploy)
	r.res.Deploy = res
	return err
}

func (r *runner) planPrune(ctx context.Context, objs []*unstructured.Unstructured) error {
	state, err := r.inv.Load(ctx)
	if err != nil || !state.Exists {
		return err
	}
	members, err := r.inv.Members(ctx, state)
	if err != nil {
		return err
	}
	used, err := prune.InUse(ctx, r.client, objs)
	if err != nil {
		return err
	}
	plan := prune.NewPlan(members, objs, used)
	r.res.WouldPrune, r.res.KeptFromPrune = plan.Refs(), plan.Kept
	return plan.Check(r.maxShare(), r.opts.AllowMassPrune)
}
