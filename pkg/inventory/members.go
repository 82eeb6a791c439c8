package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Member is an object in the cluster that carries the set's part-of label.
type Member struct {
	Ref      object.Ref
	Resource schema.GroupVersionResource
	UID      string
	// ResourceVersion is the version listed: a prune deletes the object only
	// if it is still that version (not adopted by another set meanwhile).
	ResourceVersion string
	Annotations     map[string]string
	// PartOf is the set the object was labelled part of when listed.
	PartOf string
	// Terminating is true when the object is already being deleted.
	Terminating bool
}

// Unlisted is a kind (in a namespace) whose members kship may not list:
// it can neither prune nor report them.
type Unlisted struct {
	GroupKind schema.GroupKind
	Denied    *kube.Denied
}

// Members lists the objects labelled as part of the set, in every
// group-kind and namespace the state records, that kship applied: the label
// alone could have been copied onto an object kship never managed.
//
// Where listing a kind is forbidden (a CI identity limited to its
// namespace, and a kind at the cluster scope), the members the state
// recorded of that kind are read one by one instead; what cannot be read
// either is returned as Unlisted, not as an error.
func (inv *Inventory) Members(ctx context.Context, s *State) ([]Member, []Unlisted, error) {
	sel := labels.Set{LabelPartOf: inv.ID}.AsSelector().String()
	var mu sync.Mutex
	var out []Member
	var unlisted []Unlisted
	add := func(m Member) {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, m)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	var unmapped []error
	for gk := range s.GroupKinds {
		m, err := inv.client.Mapper.Mapping(ctx, gk)
		if meta.IsNoMatchError(err) {
			continue // its CRD is gone, and so are its objects
		}
		if err != nil {
			unmapped = append(unmapped, fmt.Errorf("%s: %w", gk, err))
			continue
		}
		namespaces := []string{""}
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			namespaces = namespaces[:0]
			for ns := range s.Namespaces {
				namespaces = append(namespaces, ns)
			}
		}
		for _, ns := range namespaces {
			g.Go(func() error {
				found, err := inv.list(ctx, m.Resource, gk, ns, sel)
				if d, ok := kube.AsDenied(err); ok {
					found, err = inv.getRecorded(ctx, s, m.Resource, gk, ns)
					if _, ok := kube.AsDenied(err); ok {
						mu.Lock()
						unlisted = append(unlisted, Unlisted{GroupKind: gk, Denied: d})
						mu.Unlock()
						return nil
					}
				}
				if err != nil {
					return err
				}
				for _, f := range found {
					add(f)
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref.String() < out[j].Ref.String() })
	sort.Slice(unlisted, func(i, j int) bool { return unlisted[i].GroupKind.String() < unlisted[j].GroupKind.String() })
	return out, unlisted, errors.Join(unmapped...)
}

// list lists the members of one kind in one namespace by their label.
func (inv *Inventory) list(ctx context.Context, gvr schema.GroupVersionResource, gk schema.GroupKind, ns, sel string) ([]Member, error) {
	list, err := inv.client.Metadata.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("listing %s in %q: %w", gvr.Resource, ns, err)
	}
	var out []Member
	for i := range list.Items {
		if m, ok := inv.member(&list.Items[i], gvr, gk); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// getRecorded reads, one by one, the members of one kind in one namespace
// that the state recorded.
func (inv *Inventory) getRecorded(ctx context.Context, s *State, gvr schema.GroupVersionResource, gk schema.GroupKind, ns string) ([]Member, error) {
	var out []Member
	for r := range s.Members {
		if r.GroupKind() != gk || r.Namespace != ns {
			continue
		}
		o, err := inv.client.Metadata.Resource(gvr).Namespace(ns).Get(ctx, r.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", r, err)
		}
		if m, ok := inv.member(o, gvr, gk); ok && o.Labels[LabelPartOf] == inv.ID {
			out = append(out, m)
		}
	}
	return out, nil
}

// member returns o as a Member if kship applied it.
func (inv *Inventory) member(o *metav1.PartialObjectMetadata, gvr schema.GroupVersionResource, gk schema.GroupKind) (Member, bool) {
	if !appliedByKship(o.ManagedFields) {
		return Member{}, false // a copy someone made, label and all: not ours to prune
	}
	return Member{
		Ref:             object.Ref{Group: gk.Group, Kind: gk.Kind, Namespace: o.Namespace, Name: o.Name},
		Resource:        gvr,
		UID:             string(o.UID),
		ResourceVersion: o.ResourceVersion,
		Annotations:     o.Annotations,
		PartOf:          o.Labels[LabelPartOf],
		Terminating:     o.DeletionTimestamp != nil,
	}, true
}

func appliedByKship(fields []metav1.ManagedFieldsEntry) bool {
	for _, f := range fields {
		if f.Manager == apply.FieldManager && f.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}
