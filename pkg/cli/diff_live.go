package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/build"
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
	in, set, err := asDeployed(t, client, objs)
	if err != nil {
		return nil, err
	}
	diffErr := in.dryRun(c.Context, apply.Options{DryRun: true, Force: c.Bool("force-conflicts"), Recreate: c.Bool("recreate")})
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
func asDeployed(t *target, client *kube.Client, objs []*unstructured.Unstructured) (*liveObjects, *inventory.Inventory, error) {
	it, err := inventoryOf(t, objs)
	if err != nil {
		return nil, nil, exitcode.Wrap(exitcode.Build, err)
	}
	if objs, err = rollout.DefaultNamespaces(client, objs, it.namespace); err != nil {
		return nil, nil, exitcode.Wrap(exitcode.Build, err)
	}
	set := inventory.New(client, it.name, it.namespace)
	objs = set.Label(objs)
	return &liveObjects{client: client, objs: objs, found: make([]diff.Pair, len(objs))}, set, nil
}

// liveObjects pairs each object of a build with its live version.
type liveObjects struct {
	client *kube.Client
	objs   []*unstructured.Unstructured
	found  []diff.Pair // by index in objs; empty where the dry run failed
}

// dryRun fills in the pairs, Namespaces first: an object in a namespace, or
// of a kind, that the same deploy creates cannot be dry-run, and is listed
// as created, unchecked. The error names the objects that failed.
func (l *liveObjects) dryRun(ctx context.Context, opts apply.Options) error {
	applier := apply.New(l.client, opts)
	newKinds := newCRDKinds(l.client, l.objs)
	var namespaces, rest []int
	for i, o := range l.objs {
		switch gk := o.GroupVersionKind().GroupKind(); {
		case newKinds[gk]:
			l.found[i] = diff.Pair{After: o, Note: "not checked by the server: kind " + gk.String() + " is defined by a CRD this deploy creates"}
		case gk == schema.GroupKind{Kind: "Namespace"}:
			namespaces = append(namespaces, i)
		default:
			rest = append(rest, i)
		}
	}
	errNS := l.apply(ctx, applier, namespaces)
	newNS := map[string]bool{}
	for _, i := range namespaces {
		if p := l.found[i]; p.After != nil && p.Before == nil {
			newNS[l.objs[i].GetName()] = true
		}
	}
	var send []int
	for _, i := range rest {
		if ns := l.objs[i].GetNamespace(); newNS[ns] {
			l.found[i] = diff.Pair{After: l.objs[i], Note: "not checked by the server: namespace " + ns + " is created by this deploy"}
			continue
		}
		send = append(send, i)
	}
	return errors.Join(errNS, l.apply(ctx, applier, send))
}

// apply dry-runs the objects at idx and records what the server returned.
func (l *liveObjects) apply(ctx context.Context, applier *apply.Applier, idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	batch := make([]*unstructured.Unstructured, len(idx))
	for k, i := range idx {
		batch[k] = l.objs[i]
	}
	res, err := applier.Apply(ctx, batch)
	for k, r := range res {
		if r.Action != "" {
			l.found[idx[k]] = diff.Pair{Before: r.Before, After: r.Object, Recreate: r.Action == apply.Recreated}
		}
	}
	return err
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

// newCRDKinds returns the kinds that CRDs in objs define and the cluster
// does not know yet.
func newCRDKinds(client *kube.Client, objs []*unstructured.Unstructured) map[schema.GroupKind]bool {
	kinds := map[schema.GroupKind]bool{}
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() != (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		gk := schema.GroupKind{Group: group, Kind: kind}
		if _, err := client.Mapper.RESTMapping(gk); err != nil {
			kinds[gk] = true
		}
	}
	return kinds
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
