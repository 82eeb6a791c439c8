package testcluster

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoRootFromSubdirectory(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("// comment\nmodule github.com/kship/kship\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A nested module of another name must be skipped.
	sub := filepath.Join(root, "tools", "cmd")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "tools", "go.mod"), []byte("module github.com/kship/kship/tools\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	got, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.EvalSymlinks(root); got != root && got != want {
		t.Errorf("repoRoot() = %q, want %q", got, root)
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		ci, require string
		want        bool
	}{
		{"", "", false},
		{"true", "", true},
		{"1", "", true},
		{"false", "", false},
		{"", "1", true},
		{"", "true", true},
		{"", "0", false},
	}
	for _, tt := range tests {
		t.Setenv("CI", tt.ci)
		t.Setenv(EnvRequire, tt.require)
		if got := required(); got != tt.want {
			t.Errorf("CI=%q %s=%q: required() = %v, want %v", tt.ci, EnvRequire, tt.require, got, tt.want)
		}
	}
}

func TestTail(t *testing.T) {
	if got, want := tail("a\nb\nc\n", 2), "b\nc"; got != want {
		t.Errorf("tail = %q, want %q", got, want)
	}
	if got, want := tail("a", 5), "a"; got != want {
		t.Errorf("tail = %q, want %q", got, want)
	}
}
