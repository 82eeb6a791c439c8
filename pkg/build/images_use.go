package build

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kship/kship/pkg/validate/openapi"
)

// ImageUse records, over one build or several (diff --base builds two
// sides, --all every environment), which image overrides matched an image
// and which image names the builds have. Build fills it when
// Options.ImageUse is not nil; Unused then says which overrides matched in
// none of them.
type ImageUse struct {
	matched map[string]bool // override names
	noops   map[string]bool // override names that would set nothing
	names   map[string]bool // image names of the builds, for the hints
}

func (u *ImageUse) add(matched []Image, names map[string]bool, noops []Image) {
	if u.matched == nil {
		u.matched, u.noops, u.names = map[string]bool{}, map[string]bool{}, map[string]bool{}
	}
	for _, o := range matched {
		u.matched[o.Name] = true
	}
	for _, o := range noops {
		u.noops[o.Name] = true
	}
	for n := range names {
		u.names[n] = true
	}
}

// Unused returns an *UnusedImageError for the overrides that matched no
// image of the builds recorded, or nil.
func (u *ImageUse) Unused(overrides []Image) error {
	e := &UnusedImageError{}
	for n := range u.names {
		e.Names = append(e.Names, n)
	}
	sort.Strings(e.Names)
	seen := map[string]bool{}
	for _, o := range overrides {
		switch {
		case u.matched[o.Name] || seen[o.Name]:
		case u.noops[o.Name]:
			e.NoOps = append(e.NoOps, o)
		default:
			e.Images = append(e.Images, o)
		}
		seen[o.Name] = true
	}
	if len(e.Images)+len(e.NoOps) == 0 {
		return nil
	}
	return e
}

// UnusedImageError says that image overrides match no image of the build:
// a typo, a name that a lower overlay renames, or an image the build does
// not have. It is a usage error.
type UnusedImageError struct {
	// Images are the overrides that matched nothing.
	Images []Image
	// Names are the image names the build has: those of its containers
	// and image volumes, and those of the top kustomization's images.
	Names []string
	// NoOps are overrides that would set nothing ("NAME=*" where the top
	// kustomization has no entry NAME to keep the values of).
	NoOps []Image
}

func (e *UnusedImageError) Error() string {
	var parts []string
	for _, o := range e.NoOps {
		parts = append(parts, fmt.Sprintf("--image %q changes nothing: the top kustomization has no images entry %q whose values * would keep; give a new name, tag or digest", FormatImage(o), o.Name))
	}
	for _, o := range e.Images {
		msg := fmt.Sprintf("--image %q matches no image of the build", FormatImage(o))
		if hint := suggestImage(o.Name, e.Names); hint != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", hint)
		}
		parts = append(parts, msg)
	}
	names := "none"
	if len(e.Names) > 0 {
		names = strings.Join(e.Names, ", ")
	}
	if len(e.Images) > 0 {
		parts = append(parts, fmt.Sprintf("its images are: %s. kustomize matches the name an image has where the top kustomization sees it, after lower overlays renamed it; fix the name, or pass --allow-unused-image to allow overrides that match nothing", names))
	}
	return strings.Join(parts, "; ")
}

// suggestImage returns the name the user most likely meant: a near spelling,
// else one with the same last path component (what a lower overlay's
// newName turns "api" into, say).
func suggestImage(name string, names []string) string {
	if s := openapi.Suggest(name, names); s != "" {
		return s
	}
	for _, n := range names {
		if lastComponent(n) == lastComponent(name) && n != name {
			return n
		}
	}
	return ""
}
