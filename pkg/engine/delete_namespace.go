package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/object"
	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// maxNamed bounds the objects a kept namespace's report names.
const maxNamed = 5

// deleteNamespaces deletes the member namespaces that hold nothing kship
// does not manage, waiting until they are gone, and reports the others.
func (r *runner) deleteNamespaces(ctx context.Context, namespaces []inventory.Member, rep *DeleteReport) error {
	for _, ns := range namespaces {
		holds, err := r.unmanaged(ctx, ns.Ref.Name)
		if err != nil {
			return &StepError{Step: "namespace", Err: fmt.Errorf("%s: listing what it still holds: %w", ns.Ref, err)}
		}
		if len(holds) > 0 {
			rep.KeptNamespaces = append(rep.KeptNamespaces, KeptNamespace{Name: ns.Ref.Name, Holds: holds})
			continue
		}
		ri := r.base.Dynamic.Resource(ns.Resource)
		if err := apply.DeleteAndWait(ctx, ri, ns.Ref.Name, nil); err != nil {
			return &StepError{Step: "namespace", Err: fmt.Errorf("%s: %w", ns.Ref, err)}
		}
		rep.Deleted = append(rep.Deleted, ns.Ref)
	}
	return nil
}

// unmanaged names the objects in namespace ns that kship does not manage
// and that would not go by themselves: not events, not what a controller
// owns (a ReplicaSet's pods go with it), not what is already being
// deleted, not what Kubernetes puts in every namespace, and not kship's
// own records of the environment. At most maxNamed, and "N more".
func (r *runner) unmanaged(ctx context.Context, ns string) ([]string, error) {
	lists, err := r.base.Typed.Discovery().ServerPreferredNamespacedResources()
	if len(lists) == 0 && err != nil {
		return nil, err // a group that fails discovery alone is skipped
	}
	var found []string
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, res := range l.APIResources {
			if !slices.Contains(res.Verbs, "list") || ignoredKind(gv.Group, res.Kind) {
				continue
			}
			gvr := gv.WithResource(res.Name)
			g.Go(func() error {
				items, err := r.base.Metadata.Resource(gvr).Namespace(ns).List(gctx, metav1.ListOptions{})
				if err != nil {
					return nil // a kind this identity may not list says nothing either way
				}
				for _, o := range items.Items {
					if r.leftAlone(gv.Group, res.Kind, &o) {
						continue
					}
					mu.Lock()
					found = append(found, object.Ref{Group: gv.Group, Kind: res.Kind, Namespace: ns, Name: o.Name}.String())
					mu.Unlock()
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sort.Strings(found)
	if len(found) > maxNamed {
		found = append(found[:maxNamed], fmt.Sprintf("%d more", len(found)-maxNamed))
	}
	return found, nil
}

func ignoredKind(group, kind string) bool {
	return kind == "Event" && (group == "" || group == "events.k8s.io")
}

// leftAlone reports whether o goes by itself or is the namespace's own.
func (r *runner) leftAlone(group, kind string, o *metav1.PartialObjectMetadata) bool {
	switch {
	case o.DeletionTimestamp != nil, len(o.OwnerReferences) > 0:
		return true
	case group == "" && kind == "ConfigMap" && o.Name == "kube-root-ca.crt",
		group == "" && kind == "ServiceAccount" && o.Name == "default":
		return true
	case group == "coordination.k8s.io" && kind == "Lease" && o.Name == lockName(r.env):
		return true
	case group == "" && (kind == "Endpoints"):
		return true // the endpoints controller removes a Service's
	}
	return o.Labels[inventory.LabelPartOf] == r.inv.ID
}
