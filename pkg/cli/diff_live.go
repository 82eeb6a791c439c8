package cli

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/rollout"
	ucli "github.com/urfave/cli/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// liveDiff dry-runs the target's build against its cluster. A report comes
// with every object that could be diffed, even when others failed; the
// error then names those (exit code 4).
func liveDiff(c *ucli.Context, opts build.Options, show bool) (*diff.Report, error) {
	t, err := resolveTarget(c)
	if err != nil || t == nil {
		return nil, unmapped(c, err)
	}
	m, err := build.Build(t.Dir, opts)
	if err != nil {
		return nil, buildFailed(err)
	}
	objs, err := build.Objects(m)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Build, err)
	}
	if len(objs) == 0 {
		return nil, exitcode.Wrap(exitcode.Build, fmt.Errorf("%s builds no objects: nothing to diff", t.Name()))
	}
	client, err := connect(c, t)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", t.Name(), err)
	}
	in, set, err := asDeployed(c.Context, t, client, objs)
	if err != nil {
		return nil, err
	}
	if err := in.checkNamespace(c.Context); err != nil {
		return nil, exitcode.Wrap(exitcode.Apply, fmt.Errorf("diff %s: %w", t.Name(), err))
	}
	diffErr := in.dryRun(c.Context, apply.Options{Force: c.Bool("force-conflicts"), Recreate: c.Bool("recreate")}, set.ID)
	input := diff.Input{Env: t.Name(), Pairs: in.pairs()}
	if diffErr != nil {
		input.Note = "incomplete: objects the dry run refused are left out (the error says which and why)"
	}
	if input.Previous, err = previousGenerated(c.Context, client, set.ID, input.Pairs); err == nil && c.Bool("prune") {
		input.Prune, err = wouldPrune(c.Context, client, set, in.objs)
	}
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Apply, fmt.Errorf("diff %s: %w", t.Name(), err))
	}
	plan, err := diff.Compute(input, diff.Options{ShowSecrets: show, From: "live", To: "dry-run"})
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Apply, err)
	}
	rep := &diff.Report{From: "live (context " + client.Context + ")", To: "server-side dry run", Plans: []*diff.Plan{plan}}
	if diffErr != nil {
		diffErr = exitcode.Wrap(exitcode.Apply, fmt.Errorf("diff %s: these objects could not be diffed: %w", t.Name(), diffErr))
	}
	return rep, diffErr
}

// asDeployed returns objs as a deploy applies them: namespaces defaulted,
// labelled as members of the environment's inventory.
func asDeployed(ctx context.Context, t *target, client *kube.Client, objs []*unstructured.Unstructured) (*liveObjects, *inventory.Inventory, error) {
	it, err := inventoryOf(t, objs, client)
	if err != nil {
		return nil, nil, exitcode.Wrap(exitcode.Build, err)
	}
	if objs, err = rollout.DefaultNamespaces(ctx, client, objs, defaultNamespace(t, it, client)); err != nil {
		return nil, nil, exitcode.Wrap(lookupCode(err), err)
	}
	set := inventory.New(client, it.name, it.namespace)
	objs = set.Label(objs)
	return &liveObjects{client: client, objs: objs, namespace: it.namespace, found: make([]diff.Pair, len(objs))}, set, nil
}

// liveObjects pairs each object of a build with its live version.
type liveObjects struct {
	client    *kube.Client
	objs      []*unstructured.Unstructured
	namespace string      // the environment's
	found     []diff.Pair // by index in objs; empty where the dry run failed
}

// dryRun fills in the pairs with the deploy's own preflight: the server's
// dry run of every object as a deploy would apply it (spec.replicas left to
// autoscalers, objects of other sets refused). An object in a namespace, or
// of a kind, that the same deploy creates cannot be dry-run, and is listed
// as created, unchecked. The error names the objects that failed.
func (l *liveObjects) dryRun(ctx context.Context, opts apply.Options, owner string) error {
	opts.DryRun, opts.Owner = true, owner
	plan, err := deploy.Prepare(ctx, l.client, l.objs, deploy.Options{Apply: opts})
	checked := map[apply.Ref]deploy.ObjectResult{}
	for _, o := range plan.Checked.Objects {
		checked[o.Ref] = o
	}
	for i, o := range l.objs {
		ref := apply.RefOf(o)
		res := checked[ref]
		if before, after, ok := plan.Server(ref); ok {
			l.found[i] = diff.Pair{Before: before, After: after, Recreate: res.Action == apply.Recreated}
		} else if res.Error == "" && res.Message != "" {
			l.found[i] = diff.Pair{After: o, Note: res.Message}
		}
	}
	return err
}

// checkNamespace refuses, with one error, a diff whose environment's
// namespace neither exists nor is created by the build: a deploy would
// refuse it too, before applying anything.
func (l *liveObjects) checkNamespace(ctx context.Context) error {
	if l.namespace == "" {
		return nil
	}
	_, err := l.client.Typed.CoreV1().Namespaces().Get(ctx, l.namespace, metav1.GetOptions{})
	if err == nil || !apierrors.IsNotFound(err) {
		return nil // a read this identity may not make is no reason to stop
	}
	for _, o := range l.objs {
		if o.GetKind() == "Namespace" && o.GroupVersionKind().Group == "" && o.GetName() == l.namespace {
			return nil
		}
	}
	return fmt.Errorf("namespace %s does not exist and the build does not create it, so a deploy would change nothing: add a Namespace object to the overlay, or create it", l.namespace)
}

// pairs returns the pairs found, in build order.
func (l *liveObjects) pairs() []diff.Pair {
	var out []diff.Pair
	for _, p := range l.found {
		if p.After != nil {
			out = append(out, p)
		}
	}
	return out
}

// previousGenerated lists the ConfigMaps and Secrets of the environment's
// inventory (ApplySet setID) that the build does not have, in the
// namespaces where the diff creates one: the earlier versions of generated
// objects whose hashed name changed, for diff to pair with their successors.
func previousGenerated(ctx context.Context, client *kube.Client, setID string, pairs []diff.Pair) ([]*unstructured.Unstructured, error) {
	type place struct{ resource, namespace string }
	resources := map[string]string{"ConfigMap": "configmaps", "Secret": "secrets"}
	places := map[place]bool{}
	inBuild := map[diff.Ref]bool{}
	for _, p := range pairs {
		ref := diff.RefOf(p.After)
		inBuild[ref] = true
		if res, ok := resources[ref.Kind]; ok && ref.Group == "" && p.Before == nil {
			places[place{res, ref.Namespace}] = true
		}
	}
	var out []*unstructured.Unstructured
	for pl := range places {
		gvr := schema.GroupVersionResource{Version: "v1", Resource: pl.resource}
		list, err := client.Dynamic.Resource(gvr).Namespace(pl.namespace).List(ctx, metav1.ListOptions{
			LabelSelector: inventory.LabelPartOf + "=" + setID,
		})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s in %s (to pair renamed generated objects): %w", pl.resource, pl.namespace, err)
		}
		for i := range list.Items {
			if o := &list.Items[i]; !inBuild[diff.RefOf(o)] {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// wouldPrune lists what a deploy of objs would prune, by the deploy's rules.
func wouldPrune(ctx context.Context, client *kube.Client, set *inventory.Inventory, objs []*unstructured.Unstructured) ([]diff.Ref, error) {
	plan, err := rollout.PlanPrune(ctx, client, set.Env, set.Namespace, objs)
	if err != nil {
		return nil, err
	}
	var refs []diff.Ref
	for _, r := range plan.Refs() {
		refs = append(refs, diff.Ref(r))
	}
	return refs, nil
}
