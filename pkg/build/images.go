package build

import (
	"fmt"
	"sort"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// Image is one image override, in kustomize's `images:` terms.
type Image = types.Image

// keep means "keep the value the kustomization already has", as in
// `kustomize edit set image api=*:v2`.
const keep = "*"

// mergeImages applies overrides to a kustomization's images list the way
// `kustomize edit set image` does: an override replaces the entry of the
// same name, "*" keeps that entry's value, and the result is sorted by name.
func mergeImages(current, overrides []Image) []Image {
	byName := map[string]Image{}
	for _, o := range overrides {
		byName[o.Name] = o
	}
	for _, c := range current {
		o, ok := byName[c.Name]
		if !ok {
			byName[c.Name] = c
			continue
		}
		if o.NewName == keep {
			o.NewName = c.NewName
		}
		if o.NewTag == keep {
			o.NewTag = c.NewTag
		}
		if o.Digest == keep {
			o.Digest = c.Digest
		}
		byName[c.Name] = o
	}
	out := make([]Image, 0, len(byName))
	for _, img := range byName {
		for _, f := range []*string{&img.NewName, &img.NewTag, &img.Digest} {
			if *f == keep {
				*f = ""
			}
		}
		out = append(out, img)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// setImages returns the kustomization file at path with overrides merged into
// its images list. Everything else in the file is kept as it is.
func setImages(fSys filesys.FileSystem, path string, overrides []Image) ([]byte, error) {
	data, err := fSys.ReadFile(path)
	if err != nil {
		return nil, err
	}
	node, err := kyaml.Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var k types.Kustomization
	if err := sigsyaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Like `kustomize edit set image`, fold the deprecated imageTags into
	// images first and drop them: krusty appends imageTags after images, so
	// a stale entry would otherwise undo an override.
	current := append(append([]Image(nil), k.Images...), k.ImageTags...)
	merged, err := sigsyaml.Marshal(mergeImages(current, overrides))
	if err != nil {
		return nil, err
	}
	images, err := kyaml.Parse(string(merged))
	if err != nil {
		return nil, err
	}
	if err := node.PipeE(kyaml.SetField("images", images)); err != nil {
		return nil, fmt.Errorf("%s: setting images: %w", path, err)
	}
	if err := node.PipeE(kyaml.Clear("imageTags")); err != nil {
		return nil, fmt.Errorf("%s: removing imageTags: %w", path, err)
	}
	out, err := node.String()
	return []byte(out), err
}
