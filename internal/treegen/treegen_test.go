package treegen_test

import (
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/internal/treegen"
	"github.com/kship/kship/pkg/build"
)

// digest maps every file below dir to the sha256 of its contents.
func digest(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// kinds builds dir and counts the objects of each kind.
func kinds(t *testing.T, dir string) (map[string]int, int) {
	t.Helper()
	m, err := build.Build(dir, build.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := build.YAML(m)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range m.Resources() {
		got[r.GetKind()]++
	}
	return got, len(out)
}

func TestGenerators(t *testing.T) {
	tests := []struct {
		name      string
		gen       func(dir string) error
		wantKinds map[string]int
		minOutput int // bytes of `kustomize build` output, at least
	}{
		{
			name: "services",
			gen:  func(dir string) error { return treegen.Services(dir, 4) },
			wantKinds: map[string]int{
				"Namespace": 1, "ConfigMap": 5, "Deployment": 4, "Service": 4,
				"HorizontalPodAutoscaler": 4, "PodDisruptionBudget": 4,
			},
			minOutput: 4 * 3000,
		},
		{
			name: "bytes",
			gen:  func(dir string) error { return treegen.Bytes(dir, 2) },
			wantKinds: map[string]int{
				"ConfigMap": 10, "CustomResourceDefinition": 1, "Gadget0": 1,
			},
			minOutput: 2 << 20,
		},
		{
			name: "crds",
			gen:  func(dir string) error { return treegen.CRDs(dir, 2, 3) },
			wantKinds: map[string]int{
				"CustomResourceDefinition": 2, "Gadget0": 3, "Gadget1": 3,
			},
			minOutput: 2 * 100 << 10,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := t.TempDir(), t.TempDir()
			if err := tt.gen(a); err != nil {
				t.Fatal(err)
			}
			if err := tt.gen(b); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(digest(t, a), digest(t, b)); d != "" {
				t.Errorf("two runs wrote different trees (-first +second):\n%s", d)
			}
			got, size := kinds(t, a)
			if d := cmp.Diff(tt.wantKinds, got); d != "" {
				t.Errorf("objects by kind mismatch (-want +got):\n%s", d)
			}
			if size < tt.minOutput {
				t.Errorf("build output is %d bytes, want at least %d", size, tt.minOutput)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	if got, want := treegen.ServicesObjects(300), 1502; got != want {
		t.Errorf("ServicesObjects(300) = %d, want %d", got, want)
	}
	if got, want := treegen.BytesConfigMaps(10), 50; got != want {
		t.Errorf("BytesConfigMaps(10) = %d, want %d", got, want)
	}
	if got, want := treegen.CRDsObjects(10, 10), 110; got != want {
		t.Errorf("CRDsObjects(10, 10) = %d, want %d", got, want)
	}
	if got, want := treegen.BytesCRDs(10), 2; got != want {
		t.Errorf("BytesCRDs(10) = %d, want %d", got, want)
	}
}

func TestArgumentErrors(t *testing.T) {
	tests := []struct {
		name string
		gen  func(dir string) error
	}{
		{"no services", func(dir string) error { return treegen.Services(dir, 0) }},
		{"too many services", func(dir string) error { return treegen.Services(dir, 10000) }},
		{"no bytes", func(dir string) error { return treegen.Bytes(dir, 0) }},
		{"too many bytes", func(dir string) error { return treegen.Bytes(dir, 1025) }},
		{"no CRDs", func(dir string) error { return treegen.CRDs(dir, 0, 1) }},
		{"too many instances", func(dir string) error { return treegen.CRDs(dir, 1, 1001) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			err := tt.gen(dir)
			if err == nil || !strings.HasPrefix(err.Error(), "treegen: ") {
				t.Errorf("got error %v, want a treegen error", err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("wrote %d entries despite the error", len(ents))
			}
		})
	}
}

func TestWriteError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := treegen.Services(file, 1); err == nil {
		t.Error("Services into a regular file succeeded, want an error")
	}
}
