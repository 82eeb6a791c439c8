package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// priorObject is what existed of one object before the apply.
type priorObject struct {
	rv     string
	labels map[string]string
	// ownsReplicas is true when kship's apply owns spec.replicas.
	ownsReplicas bool
	// full is the whole object, for a dry run (whose response keeps the old
	// resourceVersion, so only a comparison tells a change).
	full *unstructured.Unstructured
}

// priorState is what existed before the apply, by key.
type priorState struct {
	objects map[string]priorObject
	// unread are objects this identity may not read: whether they exist
	// is known only from the apply's response.
	unread map[string]bool
}

func key(gvr schema.GroupVersionResource, ns, name string) string {
	return gvr.Group + "/" + gvr.Resource + "/" + ns + "/" + name
}

// prior lists, once per resource type and namespace, the objects that exist,
// so that an apply's result can be told apart without a GET per object.
// Where listing is forbidden (an identity limited to its namespace, and a
// cluster-scoped kind such as its own Namespace), it reads the objects one by
// one instead.
func (a *Applier) prior(ctx context.Context, targets []target) (priorState, error) {
	type group struct {
		gvr schema.GroupVersionResource
		ns  string
	}
	groups := map[group][]target{}
	for _, t := range targets {
		g := group{t.gvr, t.obj.GetNamespace()}
		groups[g] = append(groups[g], t)
	}
	p := priorState{objects: map[string]priorObject{}, unread: map[string]bool{}}
	var mu sync.Mutex
	record := func(gvr schema.GroupVersionResource, ns, name string, o priorObject) {
		mu.Lock()
		defer mu.Unlock()
		p.objects[key(gvr, ns, name)] = o
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(a.opts.Concurrency)
	for gr, members := range groups {
		g.Go(func() error {
			err := a.listPrior(ctx, gr.gvr, gr.ns, record)
			if _, denied := kube.AsDenied(err); !denied {
				return err
			}
			for _, t := range members {
				err := a.getPrior(ctx, t, record)
				if _, denied := kube.AsDenied(err); denied {
					mu.Lock()
					p.unread[key(t.gvr, gr.ns, t.ref.Name)] = true
					mu.Unlock()
					continue
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	return p, g.Wait()
}

func (a *Applier) listPrior(ctx context.Context, gvr schema.GroupVersionResource, ns string, record func(schema.GroupVersionResource, string, string, priorObject)) error {
	if a.opts.DryRun {
		list, err := a.client.Dynamic.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("listing %s in %q: %w", gvr.Resource, ns, err)
		}
		for i := range list.Items {
			o := &list.Items[i]
			record(gvr, ns, o.GetName(), priorOf(o.GetResourceVersion(), o.GetLabels(), o.GetManagedFields(), o))
		}
		return nil
	}
	list, err := a.client.Metadata.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing %s in %q: %w", gvr.Resource, ns, err)
	}
	for _, o := range list.Items {
		record(gvr, ns, o.Name, priorOf(o.ResourceVersion, o.Labels, o.ManagedFields, nil))
	}
	return nil
}

func (a *Applier) getPrior(ctx context.Context, t target, record func(schema.GroupVersionResource, string, string, priorObject)) error {
	ns := t.obj.GetNamespace()
	if a.opts.DryRun {
		o, err := t.ri.Get(ctx, t.ref.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", t.ref, err)
		}
		record(t.gvr, ns, t.ref.Name, priorOf(o.GetResourceVersion(), o.GetLabels(), o.GetManagedFields(), o))
		return nil
	}
	o, err := a.client.Metadata.Resource(t.gvr).Namespace(ns).Get(ctx, t.ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", t.ref, err)
	}
	record(t.gvr, ns, t.ref.Name, priorOf(o.ResourceVersion, o.Labels, o.ManagedFields, nil))
	return nil
}

func priorOf(rv string, labels map[string]string, fields []metav1.ManagedFieldsEntry, full *unstructured.Unstructured) priorObject {
	return priorObject{rv: rv, labels: labels, ownsReplicas: ownsField(fields, "f:spec", "f:replicas"), full: full}
}

// ownsField reports whether kship's apply owns the field at path (in
// managedFields' "f:name" form).
func ownsField(fields []metav1.ManagedFieldsEntry, path ...string) bool {
	for _, f := range fields {
		if f.Manager != FieldManager || f.Operation != metav1.ManagedFieldsOperationApply || f.FieldsV1 == nil || f.Subresource != "" {
			continue
		}
		var set map[string]any
		if json.Unmarshal(f.FieldsV1.Raw, &set) != nil {
			continue
		}
		for i, p := range path {
			next, ok := set[p].(map[string]any)
			if !ok {
				break
			}
			if i == len(path)-1 {
				return true
			}
			set = next
		}
	}
	return false
}

// get returns what existed of t, and whether it existed.
func (p priorState) get(t target) (priorObject, bool) {
	o, ok := p.objects[key(t.gvr, t.obj.GetNamespace(), t.ref.Name)]
	return o, ok
}

// action tells what the apply that returned live did.
func (p priorState) action(t target, live *unstructured.Unstructured, began metav1.Time) Action {
	k := key(t.gvr, t.obj.GetNamespace(), t.ref.Name)
	if p.unread[k] {
		// Not readable before: the response's creation time tells a
		// create; a change cannot be told from no change.
		if created := live.GetCreationTimestamp(); !created.Before(&began) {
			return Created
		}
		return Configured
	}
	before, ok := p.objects[k]
	switch {
	case !ok:
		return Created
	case before.full != nil:
		if equality.Semantic.DeepEqual(comparable(before.full), comparable(live)) {
			return Unchanged
		}
		return Configured
	case before.rv == live.GetResourceVersion():
		return Unchanged
	default:
		return Configured
	}
}

// comparable drops what a dry run changes even when nothing else changes.
func comparable(u *unstructured.Unstructured) map[string]any {
	c := object.WithOwnMetadata(u)
	c.SetManagedFields(nil)
	c.SetResourceVersion("")
	c.SetGeneration(0)
	return c.Object
}
