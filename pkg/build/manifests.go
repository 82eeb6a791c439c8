package build

import (
	"bytes"
	"fmt"

	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
)

// Manifests are a build's objects, in the order kustomize prints them.
type Manifests struct {
	list []*resource.Resource
}

// manifestsOf holds what one kustomize run made.
func manifestsOf(m resmap.ResMap) *Manifests { return &Manifests{list: m.Resources()} }

// Resources returns the objects, in output order.
func (m *Manifests) Resources() []*resource.Resource { return m.list }

// Size is how many objects there are.
func (m *Manifests) Size() int { return len(m.list) }

// AsYaml renders the objects as `kustomize build` prints them: each one as
// kustomize renders it, separated by document markers.
func (m *Manifests) AsYaml() ([]byte, error) {
	var buf bytes.Buffer
	for i, r := range m.list {
		out, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.CurId(), err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(out)
	}
	return buf.Bytes(), nil
}

// RemoveOriginAnnotations drops kustomize's origin annotation from every
// object.
func (m *Manifests) RemoveOriginAnnotations() error {
	for _, r := range m.list {
		if err := r.SetOrigin(nil); err != nil {
			return fmt.Errorf("%s: %w", r.CurId(), err)
		}
	}
	return nil
}
