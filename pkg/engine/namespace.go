package engine

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// defaultNamespaces returns copies of objs (object.WithOwnMetadata) where
// namespaced objects without a namespace get ns. Scope comes from the
// cluster, or, for kinds a CRD in objs defines, from that CRD.
func defaultNamespaces(ctx context.Context, client *kube.Client, objs []*unstructured.Unstructured, ns string) ([]*unstructured.Unstructured, error) {
	crdScope := object.DefinedKinds(objs)
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		c := object.WithOwnMetadata(o)
		out[i] = c
		if c.GetNamespace() != "" {
			continue
		}
		gvk := c.GroupVersionKind()
		namespaced := crdScope[gvk.GroupKind()].Scope == "Namespaced"
		if d, ok := crdScope[gvk.GroupKind()]; !ok || d.Scope == "" {
			var err error
			namespaced, err = client.Mapper.IsNamespaced(ctx, gvk.GroupKind(), gvk.Version)
			if meta.IsNoMatchError(err) {
				return nil, fmt.Errorf("%s: the cluster does not know kind %s: add its CustomResourceDefinition to the build or install it first, or check apiVersion", object.RefOf(c), gvk.GroupKind())
			}
			if err != nil {
				return nil, fmt.Errorf("%s: looking up kind %s in the cluster's API discovery: %w", object.RefOf(c), gvk.GroupKind(), err)
			}
		}
		if !namespaced {
			continue
		}
		if ns == "" {
			return nil, fmt.Errorf("%s: has no namespace: set one in the overlay (namespace:) or in kship.yaml", object.RefOf(c))
		}
		c.SetNamespace(ns)
	}
	return out, nil
}

// ensureNamespace creates the inventory's namespace, from the build's
// Namespace object when it has one, so the lock and inventory can live
// there, and notes on the result whether it did.
func (r *runner) ensureNamespace(ctx context.Context, objs []*unstructured.Unstructured) error {
	created, err := r.createNamespace(ctx, objs)
	r.res.NamespaceCreated = created
	if err != nil {
		return &StepError{Step: "namespace", Err: err}
	}
	return nil
}

func (r *runner) createNamespace(ctx context.Context, objs []*unstructured.Unstructured) (bool, error) {
	_, err := r.client.Typed.CoreV1().Namespaces().Get(ctx, r.namespace, metav1.GetOptions{})
	if err == nil {
		return false, nil
	}
	if !apierrors.IsNotFound(err) {
		if d, ok := kube.AsDenied(err); ok {
			return false, fmt.Errorf("reading namespace %s: %s", r.namespace, d.Advice())
		}
		return false, fmt.Errorf("reading namespace %s: %w", r.namespace, err)
	}
	for _, o := range objs {
		if o.GetKind() == "Namespace" && o.GroupVersionKind().Group == "" && o.GetName() == r.namespace {
			_, err := apply.New(r.client, apply.Options{}).Apply(ctx, []*unstructured.Unstructured{r.inv.Label([]*unstructured.Unstructured{o})[0]})
			return err == nil, err
		}
	}
	return false, fmt.Errorf("namespace %s does not exist and the build does not create it: add a Namespace object to the overlay, or create it", r.namespace)
}
