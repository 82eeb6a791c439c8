package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/kship/kship/pkg/apply"
	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Member is an object in the cluster that carries the set's part-of label.
type Member struct {
	Ref         apply.Ref
	Resource    schema.GroupVersionResource
	UID         string
	Annotations map[string]string
	// Terminating is true when the object is already being deleted.
	Terminating bool
}

// Members lists the objects labelled as part of the set, in every
// group-kind and namespace the state records, that kship applied: the label
// alone could have been copied onto an object kship never managed.
func (inv *Inventory) Members(ctx context.Context, s *State) ([]Member, error) {
	sel := labels.Set{LabelPartOf: inv.ID}.AsSelector().String()
	var mu sync.Mutex
	var out []Member
	var unmapped []error
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for gk := range s.GroupKinds {
		m, err := inv.client.Mapper.RESTMapping(gk)
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
				list, err := inv.client.Metadata.Resource(m.Resource).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
				if err != nil {
					return fmt.Errorf("listing %s in %q: %w", m.Resource.Resource, ns, err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, o := range list.Items {
					if !appliedByKship(o.ManagedFields) {
						continue // a copy someone made, label and all: not ours to prune
					}
					out = append(out, Member{
						Ref:         apply.Ref{Group: gk.Group, Kind: gk.Kind, Namespace: o.Namespace, Name: o.Name},
						Resource:    m.Resource,
						UID:         string(o.UID),
						Annotations: o.Annotations,
						Terminating: o.DeletionTimestamp != nil,
					})
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref.String() < out[j].Ref.String() })
	return out, errors.Join(unmapped...)
}

func appliedByKship(fields []metav1.ManagedFieldsEntry) bool {
	for _, f := range fields {
		if f.Manager == fieldManager && f.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}
