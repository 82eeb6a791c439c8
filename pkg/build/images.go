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

// topKustomization is what the image overrides need of the kustomization
// built: its file, its images entries and whether anything runs after its
// images transformer.
type topKustomization struct {
	path string
	data []byte
	// images is images followed by the deprecated imageTags, which
	// `kustomize edit set image` folds into images.
	images []Image
	// late says that replacements, transformers or validators run after
	// the images transformer and may change or drop what it set.
	late bool
}

func readTop(fSys filesys.FileSystem, path string) (*topKustomization, error) {
	data, err := fSys.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k types.Kustomization
	if err := sigsyaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &topKustomization{
		path:   path,
		data:   data,
		images: append(append([]Image(nil), k.Images...), k.ImageTags...),
		late:   len(k.Replacements)+len(k.Transformers)+len(k.Validators) > 0,
	}, nil
}

// has says whether the kustomization has an images entry named name.
func (t *topKustomization) has(name string) bool {
	for _, img := range t.images {
		if img.Name == name {
			return true
		}
	}
	return false
}

// keepUnset is imgs with the parts they leave empty set to keep: each
// changes only what it gives.
func keepUnset(imgs []Image) []Image {
	out := make([]Image, len(imgs))
	for i, img := range imgs {
		if img.NewName == "" {
			img.NewName = keep
		}
		if img.NewTag == "" && img.Digest == "" {
			img.NewTag, img.Digest = keep, keep
		}
		out[i] = img
	}
	return out
}

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

// withImages returns the top kustomization with its images list replaced by
// images (and imageTags, folded into it, removed); with early, also without
// what runs after the images transformer. Everything else is kept as it is.
func (t *topKustomization) withImages(images []Image, early bool) ([]byte, error) {
	node, err := kyaml.Parse(string(t.data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.path, err)
	}
	list, err := sigsyaml.Marshal(images)
	if err != nil {
		return nil, err
	}
	value, err := kyaml.Parse(string(list))
	if err != nil {
		return nil, err
	}
	if err := node.PipeE(kyaml.SetField("images", value)); err != nil {
		return nil, fmt.Errorf("%s: setting images: %w", t.path, err)
	}
	// Like `kustomize edit set image`, drop imageTags once folded into
	// images: krusty appends them after images, so a stale entry would
	// otherwise undo an override.
	clear := []string{"imageTags"}
	if early {
		clear = append(clear, "replacements", "transformers", "validators")
	}
	for _, f := range clear {
		if err := node.PipeE(kyaml.Clear(f)); err != nil {
			return nil, fmt.Errorf("%s: removing %s: %w", t.path, f, err)
		}
	}
	out, err := node.String()
	return []byte(out), err
}
