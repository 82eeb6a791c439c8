package kustomizecli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestAPIVersionErrors(t *testing.T) {
	script := writeFile(t, t.TempDir(), "kustomize", "#!/bin/sh\n", 0o755)
	self, err := os.Executable() // a Go binary; test binaries list no deps
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, wantErr string
	}{
		{"not a Go binary", script, "reading Go build info"},
		{"missing", filepath.Join(t.TempDir(), "nope"), "reading Go build info"},
		{"Go binary without kustomize", self, "does not link " + APIModule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := APIVersion(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("APIVersion(%q) = %q, %v; want an error containing %q", tt.path, v, err, tt.wantErr)
			}
		})
	}
}

// TestAPIVersionCLI reads the version from a real kustomize when one is
// configured.
func TestAPIVersionCLI(t *testing.T) {
	if os.Getenv(EnvVar) == "" {
		t.Skipf("%s is not set", EnvVar)
	}
	p, err := Find(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	v, err := APIVersion(p)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^v0\.\d+\.\d+`).MatchString(v) {
		t.Errorf("APIVersion(%q) = %q, want a v0.x.y version", p, v)
	}
}
