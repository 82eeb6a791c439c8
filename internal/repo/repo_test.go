package repo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFile(t *testing.T, dir, name, body string, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

func TestRoot(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "go.mod", "// kship\nmodule   github.com/kship/kship // the CLI\n\ngo 1.26.0\n", 0o644)
	writeFile(t, root, "tools/go.mod", "module github.com/kship/kship/tools\n", 0o644)
	writeFile(t, root, "pkg/build/x.go", "package build\n", 0o644)
	other := t.TempDir()
	writeFile(t, other, "go.mod", "module example.com/other\n", 0o644)

	tests := []struct {
		name    string
		dir     string
		want    string
		wantErr bool
	}{
		{name: "the root itself", dir: root, want: root},
		{name: "a package below it", dir: filepath.Join(root, "pkg", "build"), want: root},
		{name: "through a nested module", dir: filepath.Join(root, "tools"), want: root},
		{name: "another module", dir: other, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Root(tt.dir)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Root(%q) error = %v, want error %t", tt.dir, err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Root(%q) mismatch (-want +got):\n%s", tt.dir, d)
			}
		})
	}
}
