package build_test

import (
	"errors"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/internal/kustomizecli"
	"github.com/kship/kship/internal/repo"
	"github.com/kship/kship/internal/treegen"
	"github.com/kship/kship/pkg/build"
)

// The parity tests hold kship to its promise: with default options its
// output is byte-identical to `kustomize build` of the same kustomize/api
// version, and it fails where the CLI fails, with the same message. The CLI
// comes from $KSHIP_KUSTOMIZE or tools/bin.sh (see internal/kustomizecli).

// brokenDir holds trees that both kship and the CLI must refuse; every
// kustomization below it must be listed in TestParityErrors, except
// components, which broken trees may use.
const brokenDir = "testdata/broken"

// parityExpectFail lists, with the reason, repository trees outside brokenDir
// that are not meant to build on their own. Only list a tree here if the
// kustomize CLI refuses it too; the test checks that it does.
var parityExpectFail = map[string]string{}

// TestParity builds every kustomization in the repository, and generated
// large trees, with kship and with the CLI, and compares the outputs.
//
// A kind: Component directory is compared like any tree: kustomize v5 builds
// one on its own, and fails only when the component patches objects that its
// users provide. Either way, kship must do what the CLI does.
func TestParity(t *testing.T) {
	cli := parityCLI(t)
	root := parityRoot(t)
	trees, err := findTrees(root, brokenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"base", "overlays/prod", "overlays/stage", "examples", "testdata/parity"} {
		if !hasTreeUnder(trees, want) {
			t.Errorf("found no kustomization at or below %s", want)
		}
	}
	for rel := range parityExpectFail {
		if !slices.ContainsFunc(trees, func(tr parityTree) bool { return tr.rel == rel }) {
			t.Errorf("parityExpectFail lists %s, which holds no kustomization", rel)
		}
	}
	for _, tr := range trees {
		t.Run(tr.rel, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(root, filepath.FromSlash(tr.rel))
			switch reason, expectFail := parityExpectFail[tr.rel]; {
			case expectFail:
				requireBothFail(t, cli, dir, reason)
			case tr.component:
				requireSameOutcome(t, cli, dir)
			default:
				requireSameOutput(t, cli, dir, true)
			}
		})
	}
	generated := []struct {
		name string
		gen  func(dir string) error
	}{
		{"gen-300svc", func(dir string) error { return treegen.Services(dir, 300) }},
		{"gen-bytes", func(dir string) error { return treegen.Bytes(dir, 10) }},
	}
	for _, g := range generated {
		t.Run(g.name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("large generated tree; slow in -short mode")
			}
			t.Parallel()
			dir := t.TempDir()
			if err := g.gen(dir); err != nil {
				t.Fatal(err)
			}
			requireSameOutput(t, cli, dir, false)
		})
	}
}

// TestParityErrors requires kship and the CLI to refuse each broken tree
// with the same message.
func TestParityErrors(t *testing.T) {
	cli := parityCLI(t)
	root := parityRoot(t)
	tests := []struct {
		dir     string // below brokenDir
		wantErr string // both messages must contain it
	}{
		{"malformed-yaml", "yaml: line"},
		{"missing-base", "must build at directory"},
		{"cycle/a", "cycle detected"},
		{"cycle/b", "cycle detected"},
		{"missing-patch-target", "no resource matches strategic merge patch"},
		{"outside-root/app", "is not in or below"},
		{"duplicate-id", "already registered id"},
		{"json6902-missing-path", "replace operation does not apply"},
		{"unknown-field", "unknown field"},
		{"component-as-resource/app", "expected kind != 'Component'"},
	}
	trees, err := findTrees(filepath.Join(root, brokenDir))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, tt := range tests {
		listed[tt.dir] = true
	}
	for _, tr := range trees {
		if !listed[tr.rel] && !tr.component {
			t.Errorf("%s/%s holds a kustomization that TestParityErrors does not list", brokenDir, tr.rel)
		}
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(root, brokenDir, filepath.FromSlash(tt.dir))
			cliErr, kshipErr := requireBothFail(t, cli, dir, "see "+brokenDir+"/README.md")
			for who, err := range map[string]error{"kustomize": cliErr, "kship": kshipErr} {
				if err != nil && !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("%s error %q does not contain %q", who, err, tt.wantErr)
				}
			}
		})
	}
}

// TestParityImages compares kship's in-memory image overrides with
// `kustomize edit set image` on a copy of the tree followed by
// `kustomize build`, and checks that kship left the tree as it was.
func TestParityImages(t *testing.T) {
	cli := parityCLI(t)
	root := parityRoot(t)
	const digest = "sha256:4f2b8c7a1d9e6f3b5a8c2d7e1f4a9b3c6d8e2f5a7b1c4d9e3f6a8b2c5d7e1f4a"
	tests := []struct {
		name   string
		copy   []string // repository directories the build reads
		dir    string   // the kustomization to set images in and build
		images []string // --image arguments
		unused bool     // an override matches nothing: --allow-unused-image
	}{
		{"new tag", []string{"base", "overlays"}, "overlays/prod", []string{"api=registry.example/shop/api:abc123"}, false},
		{"keep name with star", []string{"base", "overlays"}, "overlays/prod", []string{"api=*:1.5.0"}, false},
		{"digest replaces the entry", []string{"base", "overlays"}, "overlays/prod", []string{"api@" + digest}, false},
		{"name and tag", []string{"base", "overlays"}, "overlays/stage", []string{"api:1.5.0-rc.1"}, false},
		{"several, one not yet listed and unused", []string{"base", "overlays"}, "overlays/stage", []string{"redis=docker.io/library/redis:7.2", "api=registry.example/shop/api:abc123"}, true},
		{"no images field yet", []string{"base"}, "base", []string{"api=registry.example/shop/api:abc123"}, false},
		{"components overlay", []string{"examples/components"}, "examples/components/overlays/prod", []string{"nginxinc/nginx-unprivileged=registry.example/web:2.0.0"}, false},
		{"multi-base overlay", []string{"examples/multi-base"}, "examples/multi-base/overlays/prod", []string{"worker=registry.example/shop/worker@" + digest, "api=*:9.9.9"}, false},
		{"comments and anchors", []string{"testdata/parity/yaml-quirks"}, "testdata/parity/yaml-quirks", []string{"busybox=registry.example/busybox:1.36.1"}, false},
		{"kustomization.yml", []string{"testdata/parity/file-names"}, "testdata/parity/file-names/yml", []string{"nginx=registry.example/nginx:1.27"}, false},
		{"Kustomization", []string{"testdata/parity/file-names"}, "testdata/parity/file-names/capitalized", []string{"nginx=registry.example/nginx:1.27"}, false},
		{"legacy imageTags, new name", []string{"testdata/parity/legacy-fields"}, "testdata/parity/legacy-fields/overlay", []string{"nginx=registry.example/nginx:1.27.1"}, false},
		{"legacy imageTags, tag only", []string{"testdata/parity/legacy-fields"}, "testdata/parity/legacy-fields/overlay", []string{"nginx:1.27.1"}, false},
		// Overrides the top kustomization has no entry for, checked in the
		// same build by marks that must all come out again.
		{"checked: CronJob, init container, volume, custom field, port", []string{"testdata/images"}, "testdata/images/top", []string{"reporter=registry.example/reporter:3", "migrate:2", "models@" + digest, "gadget=registry.example/gadget:4", "registry.example:5000/tools/debug:1.3", "cache=*:8"}, false},
		{"checked: name only keeps tag and digest", []string{"testdata/images"}, "testdata/images/top", []string{"registry.example:5000/tools/debug=registry.example/debug", "envoy=registry.example/envoy"}, false},
		{"checked: replacements after", []string{"testdata/images"}, "testdata/images/replaced", []string{"sidecar:1.5", "registry.example/shop/api:3.0"}, false},
		{"checked: re-tagged by a later entry", []string{"testdata/images"}, "testdata/images/chained", []string{"busybox=registry.example/mirror/busybox:1.37", "reporter:2.1"}, false},
		{"checked: transformers after", []string{"testdata/images"}, "testdata/images/transformed", []string{"reporter:2.1", "migrate:2"}, false},
		{"checked: vars copy the image", []string{"testdata/images"}, "testdata/images/vars", []string{"registry.example/shop/api:5", "migrate:2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := hashTrees(t, root, tt.copy)
			tmp := t.TempDir()
			for _, c := range tt.copy {
				if err := copyTree(filepath.Join(root, filepath.FromSlash(c)), filepath.Join(tmp, filepath.FromSlash(c))); err != nil {
					t.Fatal(err)
				}
			}
			copied := filepath.Join(tmp, filepath.FromSlash(tt.dir))
			if _, err := cliRun(t.Context(), cli, copied, append([]string{"edit", "set", "image"}, tt.images...)...); err != nil {
				t.Fatalf("kustomize edit set image %s: %v", strings.Join(tt.images, " "), err)
			}
			want, err := cliRun(t.Context(), cli, tmp, "build", copied)
			if err != nil {
				t.Fatalf("kustomize build of the edited copy: %v", err)
			}

			opts := build.Options{AllowUnusedImages: tt.unused}
			for _, arg := range tt.images {
				img, err := build.ParseImage(arg)
				if err != nil {
					t.Fatalf("ParseImage(%q): %v", arg, err)
				}
				opts.Images = append(opts.Images, img)
			}
			got, err := kshipRun(filepath.Join(root, filepath.FromSlash(tt.dir)), opts)
			if err != nil {
				t.Fatalf("kship build with %v: %v", tt.images, err)
			}
			if d := kustomizecli.Diff(want, got); d != "" {
				t.Errorf("kship --image output differs from kustomize edit set image + build (-kustomize +kship):\n%s", d)
			}
			if d := cmp.Diff(before, hashTrees(t, root, tt.copy)); d != "" {
				t.Errorf("the tree changed on disk (-before +after):\n%s", d)
			}
		})
	}
}

// requireSameOutput requires both builds of dir to succeed with equal bytes.
// With origins, kship must also produce them while recording origins, which
// it does by switching on kustomize's origin annotations in memory and
// removing them again.
func requireSameOutput(t *testing.T, cli, dir string, origins bool) {
	t.Helper()
	want, err := cliRun(t.Context(), cli, dir, "build", dir)
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}
	got, err := kshipRun(dir, build.Options{})
	if err != nil {
		t.Fatalf("kship build: %v", err)
	}
	if d := kustomizecli.Diff(want, got); d != "" {
		t.Errorf("kship output differs from kustomize build (-kustomize +kship):\n%s", d)
	}
	if !origins {
		return
	}
	got, err = kshipRun(dir, build.Options{Origins: build.Origins{}})
	if err != nil {
		t.Fatalf("kship build with Origins: %v", err)
	}
	if d := kustomizecli.Diff(want, got); d != "" {
		t.Errorf("kship output with Origins differs from kustomize build (-kustomize +kship):\n%s", d)
	}
}

// requireSameOutcome requires both builds of dir to succeed with equal
// bytes, or both to fail with the same message.
func requireSameOutcome(t *testing.T, cli, dir string) {
	t.Helper()
	want, cliErr := cliRun(t.Context(), cli, dir, "build", dir)
	got, kshipErr := kshipRun(dir, build.Options{})
	switch {
	case cliErr == nil && kshipErr == nil:
		if d := kustomizecli.Diff(want, got); d != "" {
			t.Errorf("kship output differs from kustomize build (-kustomize +kship):\n%s", d)
		}
	case cliErr != nil && kshipErr != nil:
		requireSameError(t, cliErr, kshipErr)
		t.Logf("both refuse it: %v", kshipErr)
	default:
		t.Errorf("kustomize build error: %v; kship build error: %v", cliErr, kshipErr)
	}
}

// requireBothFail requires both builds of dir to fail with the same message,
// and returns the errors.
func requireBothFail(t *testing.T, cli, dir, reason string) (cliErr, kshipErr error) {
	t.Helper()
	_, cliErr = cliRun(t.Context(), cli, dir, "build", dir)
	_, kshipErr = kshipRun(dir, build.Options{})
	var ce *cliError
	if cliErr != nil && !errors.As(cliErr, &ce) {
		t.Fatalf("running kustomize: %v", cliErr)
	}
	if cliErr == nil {
		t.Errorf("kustomize build succeeded, want a failure (%s)", reason)
	}
	if kshipErr == nil {
		t.Errorf("kship build succeeded, want a failure (%s)", reason)
	}
	if cliErr != nil && kshipErr != nil {
		requireSameError(t, cliErr, kshipErr)
	}
	return cliErr, kshipErr
}

// requireSameError requires equal messages once pointers are masked: some
// kustomize errors print a Go pointer (&{0xc000123456 ...}), which differs
// between processes.
func requireSameError(t *testing.T, cliErr, kshipErr error) {
	t.Helper()
	if d := cmp.Diff(maskPointers(cliErr.Error()), maskPointers(kshipErr.Error())); d != "" {
		t.Errorf("error messages differ (-kustomize +kship):\n%s", d)
	}
}

var pointer = regexp.MustCompile(`\b0x[0-9a-f]{6,16}\b`)

// maskPointers replaces hexadecimal addresses in s with "0x…".
func maskPointers(s string) string { return pointer.ReplaceAllString(s, "0x…") }

// parityRoot returns the repository root.
func parityRoot(t *testing.T) string {
	t.Helper()
	root, err := repo.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// hasTreeUnder reports whether some tree is dir or below it.
func hasTreeUnder(trees []parityTree, dir string) bool {
	for _, tr := range trees {
		if tr.rel == dir || strings.HasPrefix(tr.rel, dir+"/") {
			return true
		}
	}
	return false
}

// hashTrees hashes the repository directories dirs.
func hashTrees(t *testing.T, root string, dirs []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range dirs {
		h, err := hashTree(filepath.Join(root, filepath.FromSlash(d)))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			out[path.Join(d, k)] = v
		}
	}
	return out
}
