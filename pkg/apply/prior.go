package apply

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// priorState is what existed before the apply: resource versions for a real
// apply, whole objects for a dry run (whose response keeps the old version).
type priorState struct {
	versions map[string]string
	objects  map[string]*unstructured.Unstructured
}

func key(gvr schema.GroupVersionResource, ns, name string) string {
	return gvr.Group + "/" + gvr.Resource + "/" + ns + "/" + name
}

// prior lists, once per resource type and namespace, the objects that exist,
// so that an apply's result can be told apart without a GET per object.
func (a *Applier) prior(ctx context.Context, targets []target) (priorState, error) {
	type group struct {
		gvr schema.GroupVersionResource
		ns  string
	}
	groups := map[group]bool{}
	for _, t := range targets {
		groups[group{t.gvr, t.obj.GetNamespace()}] = true
	}
	p := priorState{versions: map[string]string{}, objects: map[string]*unstructured.Unstructured{}}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(a.opts.Concurrency)
	for gr := range groups {
		g.Go(func() error {
			if a.opts.DryRun {
				list, err := a.client.Dynamic.Resource(gr.gvr).Namespace(gr.ns).List(ctx, metav1.ListOptions{})
				if err != nil {
					return fmt.Errorf("listing %s in %q: %w", gr.gvr.Resource, gr.ns, err)
				}
				mu.Lock()
				defer mu.Unlock()
				for i := range list.Items {
					o := &list.Items[i]
					p.objects[key(gr.gvr, gr.ns, o.GetName())] = o
				}
				return nil
			}
			list, err := a.client.Metadata.Resource(gr.gvr).Namespace(gr.ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return fmt.Errorf("listing %s in %q: %w", gr.gvr.Resource, gr.ns, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, o := range list.Items {
				p.versions[key(gr.gvr, gr.ns, o.Name)] = o.ResourceVersion
			}
			return nil
		})
	}
	return p, g.Wait()
}

// action tells what the apply that returned live did.
func (p priorState) action(t target, live *unstructured.Unstructured) Action {
	k := key(t.gvr, t.obj.GetNamespace(), t.ref.Name)
	if before, ok := p.objects[k]; ok {
		if equality.Semantic.DeepEqual(comparable(before), comparable(live)) {
			return Unchanged
		}
		return Configured
	}
	rv, ok := p.versions[k]
	switch {
	case !ok:
		return Created
	case rv == live.GetResourceVersion():
		return Unchanged
	default:
		return Configured
	}
}

// comparable drops what a dry run changes even when nothing else changes.
func comparable(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy()
	c.SetManagedFields(nil)
	c.SetResourceVersion("")
	c.SetGeneration(0)
	return c.Object
}
