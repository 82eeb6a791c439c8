package object

import (
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// CRDKind is the group and kind of CustomResourceDefinitions.
var CRDKind = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}

// IsCRD reports whether u is a CustomResourceDefinition.
func IsCRD(u *unstructured.Unstructured) bool { return u.GroupVersionKind().GroupKind() == CRDKind }

// Defined is what a CustomResourceDefinition says of the kind it defines.
type Defined struct {
	// Scope is "Namespaced" or "Cluster".
	Scope string
	// Versions are the versions it serves.
	Versions []string
}

// Serves reports whether the CRD serves version v ("" means any).
func (d Defined) Serves(v string) bool { return v == "" || slices.Contains(d.Versions, v) }

// DefinedKinds returns the kinds that the CustomResourceDefinitions among
// objs define, with their scope and served versions.
func DefinedKinds(objs []*unstructured.Unstructured) map[schema.GroupKind]Defined {
	out := map[schema.GroupKind]Defined{}
	for _, o := range objs {
		if !IsCRD(o) {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		if kind == "" {
			continue
		}
		d := Defined{}
		d.Scope, _, _ = unstructured.NestedString(o.Object, "spec", "scope")
		versions, _, _ := unstructured.NestedSlice(o.Object, "spec", "versions")
		for _, v := range versions {
			m, _ := v.(map[string]any)
			if name, _ := m["name"].(string); name != "" && m["served"] != false {
				d.Versions = append(d.Versions, name)
			}
		}
		out[schema.GroupKind{Group: group, Kind: kind}] = d
	}
	return out
}
