package apply

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Ref names an object: its group, kind, namespace and name.
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

// String is "Kind/namespace/name", or "Kind/name" for cluster-scoped objects,
// the way kship names objects in every message.
func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// GroupKind returns r's group and kind.
func (r Ref) GroupKind() schema.GroupKind { return schema.GroupKind{Group: r.Group, Kind: r.Kind} }

// Action is what an apply did to an object.
type Action string

// The actions, in kubectl's words.
const (
	Created    Action = "created"
	Configured Action = "configured"
	Unchanged  Action = "unchanged"
	// Recreated means the object was deleted and created again because a field
	// that cannot change (a Job's template, say) changed.
	Recreated Action = "recreated"
)

// Result is the outcome of applying one object.
type Result struct {
	Ref    Ref
	Action Action
	// Object is the object as the API server returned it.
	Object *unstructured.Unstructured
	// Before is the live object as it was before a dry run (nil when it did
	// not exist, and for a real apply): what `kship diff` compares Object with.
	Before *unstructured.Unstructured
}

func (r Result) String() string { return fmt.Sprintf("%s %s", r.Ref, r.Action) }
