package object

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Ref names an object: its group, kind, namespace and name. The version is
// not part of it: one object is served at several versions.
type Ref struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// RefOf returns u's Ref.
func RefOf(u *unstructured.Unstructured) Ref {
	gvk := u.GroupVersionKind()
	return Ref{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// String is "Kind/namespace/name", or "Kind/name" for an object without a
// namespace, the way kship names objects in every message. A manifest
// missing its kind or name (validate reports those) reads "<no kind>" or
// "<no name>" there.
func (r Ref) String() string {
	kind, name := r.Kind, r.Name
	if kind == "" {
		kind = "<no kind>"
	}
	if name == "" {
		name = "<no name>"
	}
	if r.Namespace == "" {
		return kind + "/" + name
	}
	return kind + "/" + r.Namespace + "/" + name
}

// GroupKind returns r's group and kind.
func (r Ref) GroupKind() schema.GroupKind { return schema.GroupKind{Group: r.Group, Kind: r.Kind} }
