package build_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parityWrite writes files (slash-separated path -> contents) below root.
func parityWrite(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParityFindTrees(t *testing.T) {
	root := t.TempDir()
	parityWrite(t, root, map[string]string{
		"kustomization.yaml":                   "resources: []\n",
		"app/base/kustomization.yml":           "resources: []\n",
		"app/overlay/Kustomization":            "resources: [../base]\n",
		"app/components/x/kustomization.yaml":  "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
		"app/broken/kustomization.yaml":        "resources: [\n",
		"app/notes/README.md":                  "no kustomization here\n",
		".git/kustomization.yaml":              "resources: []\n",
		"bin/kustomization.yaml":               "resources: []\n",
		"testdata/broken/x/kustomization.yaml": "resources: []\n",
		"testdata/parity/y/kustomization.yaml": "resources: []\n",
		// A directory named like a kustomization file is not one.
		"app/odd/kustomization.yaml/placeholder": "",
	})
	got, err := findTrees(root, "testdata/broken")
	if err != nil {
		t.Fatal(err)
	}
	want := []parityTree{
		{rel: "."},
		{rel: "app/base"},
		{rel: "app/broken"},
		{rel: "app/components/x", component: true},
		{rel: "app/overlay"},
		{rel: "testdata/parity/y"},
	}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(parityTree{})); d != "" {
		t.Errorf("findTrees() mismatch (-want +got):\n%s", d)
	}
}

func TestParityCLIMessage(t *testing.T) {
	tests := []struct{ name, stderr, want string }{
		{"plain", "Error: accumulating resources: boom\n", "accumulating resources: boom"},
		{"after warnings", "# Warning: 'vars' is deprecated.\nError: no matches for Id\n", "no matches for Id"},
		{"multi-line", "Error: first\nsecond line\n", "first\nsecond line"},
		{"no prefix", "panic: oops\n", "panic: oops"},
		{"prefix inside a line is not a start", "# Warning: see Error: docs\nError: real\n", "real"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cliMessage(tt.stderr); got != tt.want {
				t.Errorf("cliMessage(%q) = %q, want %q", tt.stderr, got, tt.want)
			}
		})
	}
}

func TestParityMaskPointers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"merging from generator &{0xc000123456 <nil>}: id", "merging from generator &{0x… <nil>}: id"},
		{"&{0x37ed9f169110 <nil>}", "&{0x… <nil>}"},
		{"digest sha256:0a1b2c3d4e5f and 0x1F", "digest sha256:0a1b2c3d4e5f and 0x1F"},
	}
	for _, tt := range tests {
		if got := maskPointers(tt.in); got != tt.want {
			t.Errorf("maskPointers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParityCopyAndHash(t *testing.T) {
	src := t.TempDir()
	parityWrite(t, src, map[string]string{
		"kustomization.yaml": "resources: [a.yaml]\n",
		"a.yaml":             "kind: ConfigMap\n",
		"sub/b.env":          "K=V\n",
	})
	if err := os.Chmod(filepath.Join(src, "sub", "b.env"), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	a, err := hashTree(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hashTree(dst)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("copy differs from the original (-src +dst):\n%s", d)
	}
	if err := os.WriteFile(filepath.Join(dst, "a.yaml"), []byte("kind: Secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dst, "sub", "b.env"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := hashTree(dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a.yaml", "sub/b.env"} {
		if a[p] == c[p] {
			t.Errorf("hashTree did not notice a change to %s", p)
		}
	}
}
