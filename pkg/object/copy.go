package object

import (
	"maps"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// WithOwnMetadata returns a copy of u whose top level and metadata are its
// own and whose other fields (spec, data, status, ...) are u's: what
// unstructured's metadata setters (SetNamespace, SetLabels,
// SetManagedFields, ...) and a write to a top-level field change in the
// copy leaves u as it is, at the cost of two maps rather than of the whole
// object. Anything that changes a field below the top level, outside
// metadata, must DeepCopy instead. A labels or annotations map is shared
// too: the setters replace it rather than change it.
func WithOwnMetadata(u *unstructured.Unstructured) *unstructured.Unstructured {
	c := &unstructured.Unstructured{Object: maps.Clone(u.Object)}
	if c.Object == nil {
		c.Object = map[string]any{}
	}
	if m, ok := c.Object["metadata"].(map[string]any); ok {
		c.Object["metadata"] = maps.Clone(m)
	}
	return c
}
