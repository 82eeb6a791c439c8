package rollout

import (
	"context"

	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
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
	opts := r.opts.Deploy
	opts.Apply.Owner = r.inv.ID
	plan, err := deploy.Prepare(ctx, r.client, r.inv.Label(objs), opts)
	r.res.Deploy = plan.Checked
	return err
}

func (r *runner) planPrune(ctx context.Context, objs []*unstructured.Unstructured) error {
	state, err := r.inv.Load(ctx)
	if err != nil || !state.Exists {
		return err
	}
	plan, err := r.planFor(ctx, state, objs)
	if err != nil {
		return err
	}
	r.res.WouldPrune, r.res.KeptFromPrune = plan.Refs(), plan.Kept
	return plan.Check(r.maxShare(), r.opts.AllowMassPrune)
}

// PlanPrune returns what a deploy of objs to env (inventory in namespace)
// would prune, with the same rules as a deploy; it writes nothing.
func PlanPrune(ctx context.Context, client *kube.Client, env, namespace string, objs []*unstructured.Unstructured) (*prune.Plan, error) {
	r := &runner{client: client, opts: Options{Env: env, Namespace: namespace}, inv: inventory.New(client, env, namespace)}
	state, err := r.inv.Load(ctx)
	if err != nil || !state.Exists {
		return &prune.Plan{}, err
	}
	return r.planFor(ctx, state, objs)
}
