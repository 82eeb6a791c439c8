package rollout

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// DefaultNamespaces returns copies of objs where namespaced objects without
// a namespace get ns. Scope comes from the cluster, or, for kinds a CRD in
// objs defines, from that CRD.
func DefaultNamespaces(client *kube.Client, objs []*unstructured.Unstructured, ns string) ([]*unstructured.Unstructured, error) {
	crdScope := map[schema.GroupKind]string{}
	for _, o := range objs {
		if o.GetKind() == "CustomResourceDefinition" {
			g, _, _ := unstructured.NestedString(o.Object, "spec", "group")
			k, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
			s, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
			crdScope[schema.GroupKind{Group: g, Kind: k}] = s
		}
	}
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		c := o.DeepCopy()
		out[i] = c
		if c.GetNamespace() != "" {
			continue
		}
		gk := c.GroupVersionKind().GroupKind()
		namespaced := crdScope[gk] == "Namespaced"
		if s, ok := crdScope[gk]; !ok || s == "" {
			m, err := client.Mapper.RESTMapping(gk, c.GroupVersionKind().Version)
			if meta.IsNoMatchError(err) {
				return nil, fmt.Errorf("%s: the cluster does not know kind %s: apply its CustomResourceDefinition first, or check apiVersion", apply.RefOf(c), gk)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: looking up kind %s in the cluster's API discovery: %w", apply.RefOf(c), gk, err)
			}
			namespaced = m.Scope.Name() == meta.RESTScopeNameNamespace
		}
		if !namespaced {
			continue
		}
		if ns == "" {
			return nil, fmt.Errorf("%s: has no namespace: set one in the overlay (namespace:) or in kship.yaml", apply.RefOf(c))
		}
		c.SetNamespace(ns)
	}
	return out, nil
}

// ensureNamespace creates the inventory's namespace, from the build's
// Namespace object when it has one, so the lock and inventory can live there.
func (r *runner) ensureNamespace(ctx context.Context, objs []*unstructured.Unstructured) error {
	_, err := r.client.Typed.CoreV1().Namespaces().Get(ctx, r.opts.Namespace, metav1.GetOptions{})
	if err == nil || !apierrors.IsNotFound(err) {
		return err
	}
	for _, o := range objs {
		if o.GetKind() == "Namespace" && o.GroupVersionKind().Group == "" && o.GetName() == r.opts.Namespace {
			_, err := apply.New(r.client, apply.Options{}).Apply(ctx, []*unstructured.Unstructured{o})
			return err
		}
	}
	return fmt.Errorf("namespace %s does not exist and the build does not create it: add a Namespace object to the overlay, or create it", r.opts.Namespace)
}
