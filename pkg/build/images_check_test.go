package build

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const imagesCorpus = "../../testdata/images"

func mustParse(t *testing.T, args ...string) []Image {
	t.Helper()
	var out []Image
	for _, a := range args {
		img, err := ParseImage(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	}
	return out
}

// TestImageCheck decides which overrides match on the trees of
// testdata/images, and requires the checked build's output to be the
// unchecked one's byte for byte, origins included: the marks the check
// puts in are all taken out again.
func TestImageCheck(t *testing.T) {
	tests := []struct {
		name, dir  string
		images     []string
		wantUnused []string // override names
		wantNoOps  []string
	}{
		{"renamed below", "top", []string{"api=registry.example/shop/api:2.0"}, []string{"api"}, nil},
		{"renamed name", "top", []string{"registry.example/shop/api:2.0"}, nil, nil},
		{"CronJob only", "top", []string{"reporter=registry.example/reporter:3"}, nil, nil},
		{"init container only", "top", []string{"migrate:2"}, nil, nil},
		{"no-op tag", "top", []string{"reporter:2.0"}, nil, nil},
		{"no-op rename", "top", []string{"registry.example/shop/api=registry.example/shop/api:1.0"}, nil, nil},
		{"name only, keeps the tag", "top", []string{"migrate=registry.example/migrate"}, nil, nil},
		{"digest only", "top", []string{"migrate@" + "sha256:" + sha256Hex}, nil, nil},
		{"top's own entry", "top", []string{"cache=*:8"}, nil, nil},
		{"star on nothing", "top", []string{"apx=*:v2"}, []string{"apx"}, nil},
		{"star alone", "top", []string{"reporter=*"}, nil, []string{"reporter"}},
		{"host, port, tag, digest", "top", []string{"registry.example:5000/tools/debug:1.3"}, nil, nil},
		{"image volume", "top", []string{"models:4"}, nil, nil},
		{"configurations field", "top", []string{"gadget=registry.example/gadget:4"}, nil, nil},
		{"patched in by the top", "top", []string{"envoy:1.30"}, nil, nil},
		{"patched out by the top", "top", []string{"sidecar:1.1"}, []string{"sidecar"}, nil},
		{"mixed", "top", []string{"nope:1", "migrate:2", "cache:9", "nada=r/nada:1"}, []string{"nope", "nada"}, nil},
		{"overwritten by a replacement", "replaced", []string{"sidecar:1.5"}, nil, nil},
		{"copied into a hashed ConfigMap", "replaced", []string{"registry.example/shop/api:3.0", "models:9"}, nil, nil},
		{"replaced, typo", "replaced", []string{"sidecr:1.5"}, []string{"sidecr"}, nil},
		{"re-tagged after", "chained", []string{"busybox=registry.example/mirror/busybox:1.37"}, nil, nil},
		{"re-tagged after, typo", "chained", []string{"busyboxx=registry.example/mirror/busybox:1.37", "migrate:3"}, []string{"busyboxx"}, nil},
		{"transformers after", "transformed", []string{"reporter:2.1"}, nil, nil},
		{"transformers after, typo", "transformed", []string{"reportr:2.1"}, []string{"reportr"}, nil},
		{"copied by vars", "vars", []string{"registry.example/shop/api:5", "reporter:3"}, nil, nil},
		{"vars, renamed below", "vars", []string{"api:5"}, []string{"api"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(imagesCorpus, tt.dir)
			images := mustParse(t, tt.images...)
			plainOrigins, checkedOrigins := Origins{}, Origins{}
			plain, err := Build(dir, Options{Images: images, AllowUnusedImages: true, Origins: plainOrigins})
			if err != nil {
				t.Fatal(err)
			}
			want, err := YAML(plain)
			if err != nil {
				t.Fatal(err)
			}
			checked, err := Build(dir, Options{Images: images, Origins: checkedOrigins})
			var unused *UnusedImageError
			if errors.As(err, &unused) {
				if d := cmp.Diff(tt.wantUnused, names(unused.Images)); d != "" {
					t.Errorf("unused (-want +got):\n%s", d)
				}
				if d := cmp.Diff(tt.wantNoOps, names(unused.NoOps)); d != "" {
					t.Errorf("no-ops (-want +got):\n%s", d)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantUnused != nil || tt.wantNoOps != nil {
				t.Fatalf("no error, want %v unused and %v no-ops", tt.wantUnused, tt.wantNoOps)
			}
			got, err := YAML(checked)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("checked build differs from the unchecked one (-want +got):\n%s", d)
			}
			if d := cmp.Diff(plainOrigins, checkedOrigins); d != "" {
				t.Errorf("origins differ (-want +got):\n%s", d)
			}
		})
	}
}

func names(images []Image) []string {
	var out []string
	for _, img := range images {
		out = append(out, img.Name)
	}
	return out
}

// TestImageUseOverBuilds: an override used by one build of several counts.
func TestImageUseOverBuilds(t *testing.T) {
	images := mustParse(t, "reporter:3", "busybox=registry.example/mirror/busybox:1.37", "nope:1")
	use := &ImageUse{}
	for _, dir := range []string{"transformed", "chained"} {
		if _, err := Build(filepath.Join(imagesCorpus, dir), Options{Images: images, AllowUnusedImages: true, ImageUse: use}); err != nil {
			t.Fatal(err)
		}
	}
	var unused *UnusedImageError
	if err := use.Unused(images); !errors.As(err, &unused) {
		t.Fatalf("Unused = %v, want an *UnusedImageError", err)
	}
	if d := cmp.Diff([]string{"nope"}, names(unused.Images)); d != "" {
		t.Errorf("unused (-want +got):\n%s", d)
	}
	if use.Unused(images[:2]) != nil {
		t.Errorf("Unused(%v) = %v, want nil", images[:2], use.Unused(images[:2]))
	}
}

func TestKustomizeMatches(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
	}{
		{"api", "api", true},
		{"api", "api:1", true},
		{"api", "api@sha256:" + sha256Hex, true},
		{"api", "api:1@sha256:" + sha256Hex, true},
		{"api", "registry.example/api:1", false},
		{"api", "apis:1", false},
		{"registry.example:5000/api", "registry.example:5000/api:1", true},
		{"api", "api:1kshipprobe0a1b2cx3z", true},
	}
	for _, tt := range tests {
		if got := kustomizeMatches(tt.name, tt.value); got != tt.want {
			t.Errorf("kustomizeMatches(%q, %q) = %v, want %v", tt.name, tt.value, got, tt.want)
		}
	}
}

// TestImageCheckCost counts the kustomize builds the check costs: none more
// than the build itself, but for trees where marks could be lost or stray.
func TestImageCheckCost(t *testing.T) {
	tests := []struct {
		name, dir string
		images    []string
		allow     bool
		want      int64
	}{
		{"no override", "top", nil, false, 1},
		{"the top's own entry", "top", []string{"cache=*:8"}, false, 1},
		{"new overrides", "top", []string{"migrate:2", "reporter=r/reporter:3", "registry.example/shop/api:2"}, false, 1},
		{"allowed", "top", []string{"apx:1"}, true, 1},
		{"marks copied by vars stay in the workloads", "vars", []string{"migrate:2"}, false, 1},
		{"a mark copied by vars into an annotation", "vars", []string{"registry.example/shop/api:5"}, false, 2},
		{"replacements after", "replaced", []string{"sidecar:1.5"}, false, 2},
		{"a later entry re-tags", "chained", []string{"busybox=registry.example/mirror/busybox:1.37"}, false, 2},
		{"a later entry re-tags one of two", "chained", []string{"busybox=registry.example/mirror/busybox:1.37", "migrate:2"}, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := krustyRuns.Load()
			_, err := Build(filepath.Join(imagesCorpus, tt.dir), Options{Images: mustParse(t, tt.images...), AllowUnusedImages: tt.allow, Origins: Origins{}})
			if err != nil {
				t.Fatal(err)
			}
			if got := krustyRuns.Load() - before; got != tt.want {
				t.Errorf("%d kustomize builds, want %d", got, tt.want)
			}
		})
	}
}
