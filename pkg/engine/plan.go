package engine

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/object"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// plan is the server's dry run of a deploy of objs (as deployed): the one
// planner behind `deploy --dry-run` and `kship diff`. It takes no lock and
// writes nothing. Every object the server can check is applied as the
// deploy would apply it (spec.replicas left to autoscalers, objects of
// other sets refused); an object in a namespace, or of a kind, that the
// same deploy creates is listed as created, unchecked. With Prune, it also
// lists what the deploy would prune. The error names the objects refused.
func (r *runner) plan(ctx context.Context, objs []*unstructured.Unstructured) (*deploy.Plan, error) {
	if err := r.checkNamespace(ctx, objs); err != nil {
		return nil, err
	}
	if r.opts.Prune {
		if err := r.planPrune(ctx, objs); err != nil {
			return nil, err
		}
	}
	opts := r.deployOptions()
	opts.Apply.DryRun, opts.Apply.Owner = true, r.inv.ID
	plan, err := deploy.Prepare(ctx, r.client, r.inv.Label(objs), opts)
	r.res.Deploy = plan.Checked
	return plan, err
}

// dryRun is a deploy's dry run: the plan, kept on the result.
func (r *runner) dryRun(ctx context.Context, objs []*unstructured.Unstructured) error {
	_, err := r.plan(ctx, objs)
	return err
}

// checkNamespace refuses, with one error, a plan whose environment's
// namespace neither exists nor is created by the build: a deploy would
// refuse it too, before applying anything.
func (r *runner) checkNamespace(ctx context.Context, objs []*unstructured.Unstructured) error {
	_, err := r.client.Typed.CoreV1().Namespaces().Get(ctx, r.namespace, metav1.GetOptions{})
	if err == nil || !apierrors.IsNotFound(err) {
		return nil // a read this identity may not make is no reason to stop
	}
	for _, o := range objs {
		if o.GetKind() == "Namespace" && o.GroupVersionKind().Group == "" && o.GetName() == r.namespace {
			return nil
		}
	}
	return &ClusterError{Err: fmt.Errorf("namespace %s does not exist and the build does not create it, so a deploy would change nothing: add a Namespace object to the overlay, or create it", r.namespace)}
}

// Planned is what a deploy of a target would change, for `kship diff`.
type Planned struct {
	// Context names the kube context the plan was made against.
	Context string
	// Input is what to diff: each object's live and dry-run versions, the
	// earlier versions of generated objects, what would be pruned.
	Input diff.Input
}

// Diff builds t, connects to its cluster and plans its deploy (see plan)
// without writing anything, for diff to compare. Of opts, it uses Build,
// Cluster, Force, Recreate, Concurrency, Adopt and Prune. A plan comes with every object that
// could be diffed even when others failed; the error then names those.
func Diff(ctx context.Context, t *Target, opts Options) (*Planned, error) {
	// A diff shows a prune of any size; the deploy is what refuses one.
	opts.DryRun, opts.AllowMassPrune = true, true
	r := &runner{opts: opts, target: t, res: &Result{}}
	objs, err := r.build()
	if err != nil {
		return nil, err
	}
	if err := r.connect(ctx); err != nil {
		return nil, err
	}
	if objs, err = r.asDeployed(ctx, objs); err != nil {
		return nil, err
	}
	objs = r.inv.Label(objs)
	plan, planErr := r.plan(ctx, objs)
	if plan == nil {
		return nil, planErr
	}
	out := &Planned{Context: r.client.Context, Input: diff.Input{Env: t.Name(), Pairs: pairs(plan, objs)}}
	if planErr != nil {
		out.Input.Note = "incomplete: objects the dry run refused are left out (the error says which and why)"
		planErr = fmt.Errorf("these objects could not be diffed: %w", planErr)
	}
	if out.Input.Previous, err = r.previousGenerated(ctx, out.Input.Pairs); err != nil {
		return nil, &ClusterError{Err: err}
	}
	for _, ref := range r.res.WouldPrune {
		out.Input.Prune = append(out.Input.Prune, object.Ref(ref))
	}
	return out, planErr
}

// pairs pairs each object with what the server's dry run returned, in
// build order; objects it refused are left out.
func pairs(plan *deploy.Plan, objs []*unstructured.Unstructured) []diff.Pair {
	checked := map[object.Ref]deploy.ObjectResult{}
	for _, o := range plan.Checked.Objects {
		checked[o.Ref] = o
	}
	var out []diff.Pair
	for _, o := range objs {
		ref := object.RefOf(o)
		res := checked[ref]
		if before, after, ok := plan.Server(ref); ok {
			out = append(out, diff.Pair{Before: before, After: after, Recreate: res.Action == apply.Recreated})
		} else if res.Error == "" && res.Message != "" {
			out = append(out, diff.Pair{After: o, Note: res.Message})
		}
	}
	return out
}

// previousGenerated lists the ConfigMaps and Secrets of the environment's
// inventory that the build does not have, in the namespaces where the plan
// creates one: the earlier versions of generated objects whose hashed name
// changed, for diff to pair with their successors.
func (r *runner) previousGenerated(ctx context.Context, pairs []diff.Pair) ([]*unstructured.Unstructured, error) {
	type place struct{ resource, namespace string }
	resources := map[string]string{"ConfigMap": "configmaps", "Secret": "secrets"}
	places := map[place]bool{}
	inBuild := map[object.Ref]bool{}
	for _, p := range pairs {
		ref := object.RefOf(p.After)
		inBuild[ref] = true
		if res, ok := resources[ref.Kind]; ok && ref.Group == "" && p.Before == nil {
			places[place{res, ref.Namespace}] = true
		}
	}
	var out []*unstructured.Unstructured
	for pl := range places {
		gvr := schema.GroupVersionResource{Version: "v1", Resource: pl.resource}
		list, err := r.client.Dynamic.Resource(gvr).Namespace(pl.namespace).List(ctx, metav1.ListOptions{
			LabelSelector: inventory.LabelPartOf + "=" + r.inv.ID,
		})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s in %s (to pair renamed generated objects): %w", pl.resource, pl.namespace, err)
		}
		for i := range list.Items {
			if o := &list.Items[i]; !inBuild[object.RefOf(o)] {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// planPrune lists, on the result, what the deploy would prune, and refuses
// a prune larger than the options allow.
func (r *runner) planPrune(ctx context.Context, objs []*unstructured.Unstructured) error {
	state, err := r.inv.Load(ctx)
	if err != nil {
		return &StepError{Step: "inventory", Err: err}
	}
	if !state.Exists {
		return nil
	}
	plan, err := r.planFor(ctx, state, objs)
	if err != nil {
		return &StepError{Step: "prune plan", Err: err}
	}
	r.res.WouldPrune, r.res.KeptFromPrune = plan.Refs(), plan.Kept
	return plan.Check(r.maxShare(), r.opts.AllowMassPrune)
}
