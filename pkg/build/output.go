package build

import (
	"bytes"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// YAML renders m exactly as `kustomize build` prints it.
func YAML(m *Manifests) ([]byte, error) {
	return m.AsYaml()
}

// JSON renders m as a Kubernetes List, as `kubectl get -o json` prints many
// objects.
func JSON(m *Manifests) ([]byte, error) {
	items := make([]json.RawMessage, 0, m.Size())
	for _, r := range m.Resources() {
		b, err := r.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.CurId(), err)
		}
		items = append(items, b)
	}
	list := struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}{"v1", "List", items}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "    ")
	if err := enc.Encode(list); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Objects returns m's resources as unstructured objects, for the API. They
// go through JSON, so numbers have the types apimachinery expects (int64,
// float64), which kustomize's own maps do not.
func Objects(m *Manifests) ([]*unstructured.Unstructured, error) {
	out := make([]*unstructured.Unstructured, 0, m.Size())
	for _, r := range m.Resources() {
		b, err := r.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.CurId(), err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(b); err != nil {
			return nil, fmt.Errorf("%s: %w", r.CurId(), err)
		}
		out = append(out, u)
	}
	return out, nil
}
