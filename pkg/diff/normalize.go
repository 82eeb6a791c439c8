package diff

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// lastApplied is the annotation client-side kubectl apply keeps the whole
// previous manifest in, Secret values included.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// serverOwned are the fields the API server sets on every write; they
// differ between two reads of the same object and say nothing about it.
var serverOwned = [][]string{
	{"status"},
	{"metadata", "managedFields"},
	{"metadata", "resourceVersion"},
	{"metadata", "generation"},
	{"metadata", "uid"},
	{"metadata", "creationTimestamp"},
	{"metadata", "selfLink"},
}

// normalize returns a copy of u without the fields the server owns, or nil
// for a nil u.
func normalize(u *unstructured.Unstructured) map[string]any {
	if u == nil {
		return nil
	}
	obj := u.DeepCopy().Object
	for _, path := range serverOwned {
		unstructured.RemoveNestedField(obj, path...)
	}
	if md, ok := obj["metadata"].(map[string]any); ok {
		if annots, ok := md["annotations"].(map[string]any); ok {
			delete(annots, lastApplied)
			if len(annots) == 0 {
				delete(md, "annotations")
			}
		}
	}
	return obj
}

// project returns the parts of live that shape has: map keys shape has, list
// items at indexes shape has, live's values. Comparing project(live, manifest)
// with the manifest shows what the manifest changes without the noise of
// the server's defaults, which a manifest never has.
func project(live, shape any) any {
	switch s := shape.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return live
		}
		out := make(map[string]any, len(s))
		for k, sv := range s {
			if lv, ok := l[k]; ok {
				out[k] = project(lv, sv)
			}
		}
		return out
	case []any:
		l, ok := live.([]any)
		if !ok {
			return live
		}
		out := make([]any, len(l))
		for i, lv := range l {
			out[i] = lv
			if i < len(s) {
				out[i] = project(lv, s[i])
			}
		}
		return out
	}
	return live
}
