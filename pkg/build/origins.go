package build

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Origin is where kustomize found an object (Path, relative to the
// kustomization built; Repo and Ref for remote bases) or which
// kustomization generated it (ConfiguredIn, ConfiguredBy).
type Origin = resource.Origin

// Origins records the Origin of each built object; Build fills it when
// Options.Origins is not nil. Look objects up with Of.
type Origins map[objectKey]*Origin

type objectKey struct{ apiVersion, kind, namespace, name string }

// Of returns obj's origin, or nil.
func (o Origins) Of(obj *unstructured.Unstructured) *Origin {
	return o[objectKey{obj.GetAPIVersion(), obj.GetKind(), obj.GetNamespace(), obj.GetName()}]
}

// withOrigins returns the kustomization file at path with originAnnotations
// added to its buildMetadata, and whether it had to be added.
func withOrigins(fSys filesys.FileSystem, path string) ([]byte, bool, error) {
	data, err := fSys.ReadFile(path)
	if err != nil {
		return nil, false, err
	}
	node, err := kyaml.Parse(string(data))
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	list, err := node.Pipe(kyaml.Lookup("buildMetadata"))
	if err != nil {
		return nil, false, fmt.Errorf("%s: buildMetadata: %w", path, err)
	}
	var have []string
	if list != nil {
		items, err := list.Elements()
		if err != nil {
			return nil, false, fmt.Errorf("%s: buildMetadata: %w", path, err)
		}
		for _, it := range items {
			have = append(have, it.YNode().Value)
		}
	}
	if slices.Contains(have, types.OriginAnnotations) {
		return data, false, nil
	}
	have = append(have, types.OriginAnnotations)
	if err := node.PipeE(kyaml.SetField("buildMetadata", kyaml.NewListRNode(have...))); err != nil {
		return nil, false, fmt.Errorf("%s: setting buildMetadata: %w", path, err)
	}
	out, err := node.String()
	return []byte(out), true, err
}

// takeOrigins records every resource's origin annotation into into, and
// removes the annotations if this build added them (strip).
func takeOrigins(m *Manifests, into Origins, strip bool) error {
	for _, r := range m.Resources() {
		o, err := r.GetOrigin()
		if err != nil {
			return fmt.Errorf("%s: origin: %w", r.CurId(), err)
		}
		if o != nil {
			into[objectKey{r.GetApiVersion(), r.GetKind(), r.GetNamespace(), r.GetName()}] = o
		}
	}
	if strip {
		return m.RemoveOriginAnnotations()
	}
	return nil
}
