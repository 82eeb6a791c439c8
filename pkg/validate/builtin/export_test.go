package builtin

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Internal is Check's conversion of u to the internal version.
func Internal(u *unstructured.Unstructured) (runtime.Object, error) {
	return load().internal(u, u.GroupVersionKind())
}

// Decoded is what the API server's decoder makes of u sent as JSON.
func Decoded(u *unstructured.Unstructured) (runtime.Object, error) {
	return load().decodeJSON(u)
}
