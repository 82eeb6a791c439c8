package build

import (
	"strconv"
	"strings"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// sightings is what a walk of a marked build found.
type sightings struct {
	// seen holds the numbers of the marks found: the overrides that matched.
	seen map[int]bool
	// strayed says that a mark was somewhere other than an image of a
	// workload (a name, label, annotation, ConfigMap or Secret, whose hash
	// suffix would have been computed with it): the build cannot be the
	// output once the marks are removed.
	strayed bool
}

// takeMarks finds p's marks in m and removes them, leaving every value as
// the unmarked build would have it.
func (p *probe) takeMarks(m *Manifests) sightings {
	s := sightings{seen: map[int]bool{}}
	re, prefix := p.marksIn(), "kshipprobe"+p.nonce
	for _, r := range m.Resources() {
		hashed := r.GetKind() == "ConfigMap" || r.GetKind() == "Secret"
		walkScalars(r.YNode(), func(n *kyaml.Node, isKey, inMetadata bool) {
			if !strings.Contains(n.Value, prefix) {
				return
			}
			for _, sub := range re.FindAllStringSubmatch(n.Value, -1) {
				if i, err := strconv.Atoi(sub[1]); err == nil {
					s.seen[i] = true
				}
			}
			if hashed || isKey || inMetadata {
				s.strayed = true
			}
			n.Value = re.ReplaceAllString(n.Value, "")
		})
	}
	return s
}

// walkScalars calls fn on every scalar below n: map keys (isKey) and
// values, and whether they are in the object's metadata.
func walkScalars(n *kyaml.Node, fn func(n *kyaml.Node, isKey, inMetadata bool)) {
	var walk func(n *kyaml.Node, inMetadata bool)
	walk = func(n *kyaml.Node, inMetadata bool) {
		switch n.Kind {
		case kyaml.ScalarNode:
			fn(n, false, inMetadata)
		case kyaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				fn(n.Content[i], true, inMetadata)
				walk(n.Content[i+1], inMetadata)
			}
		case kyaml.SequenceNode, kyaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, inMetadata)
			}
		}
	}
	if n.Kind != kyaml.MappingNode {
		walk(n, false)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		fn(k, true, false)
		walk(n.Content[i+1], k.Value == "metadata")
	}
}

// imageNames returns the distinct names (without tag or digest) of the
// container and image-volume images in m.
func imageNames(m *Manifests) map[string]bool {
	names := map[string]bool{}
	for _, r := range m.Resources() {
		collectImages(r.YNode(), "", names)
	}
	return names
}

func collectImages(n *kyaml.Node, parent string, names map[string]bool) {
	switch n.Kind {
	case kyaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if v.Kind == kyaml.ScalarNode && (k == "image" || k == "reference" && parent == "image") && v.Value != "" {
				names[imageName(v.Value)] = true
				continue
			}
			collectImages(v, k, names)
		}
	case kyaml.SequenceNode:
		for _, c := range n.Content {
			collectImages(c, parent, names)
		}
	}
}

// imageName is ref without its tag and digest.
func imageName(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}
