package kustomizecli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes data to root/rel, creating parent directories.
func writeFile(t *testing.T, root, rel, data string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFind(t *testing.T) {
	bin := t.TempDir()
	fake := writeFile(t, bin, "kustomize", "#!/bin/sh\n", 0o755)
	notExec := writeFile(t, bin, "not-exec", "", 0o644)

	tests := []struct {
		name    string
		env     string
		script  string // contents of tools/bin.sh; "" means there is none
		want    string
		wantErr string // substring of the error; "" means success
		notFnd  bool   // error must wrap ErrNotFound
	}{
		{name: "env names a binary", env: fake, script: "#!/bin/sh\nexit 1\n", want: fake},
		{name: "env names a missing file", env: filepath.Join(bin, "nope"), wantErr: "KSHIP_KUSTOMIZE="},
		{name: "env names a non-executable file", env: notExec, wantErr: "permission denied"},
		{name: "bin.sh prints the bin dir", script: "#!/bin/sh\necho building >&2\necho " + bin + "\n", want: fake},
		{name: "bin.sh fails", script: "#!/bin/sh\necho go build failed >&2\nexit 3\n", wantErr: "go build failed"},
		{name: "bin.sh prints two lines", script: "#!/bin/sh\necho " + bin + "\necho " + bin + "\n", wantErr: "want one directory"},
		{name: "bin dir has no kustomize", script: "#!/bin/sh\necho " + t.TempDir() + "\n", wantErr: "printed"},
		{name: "neither", wantErr: "set KSHIP_KUSTOMIZE", notFnd: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvVar, tt.env)
			root := t.TempDir()
			if tt.script != "" {
				writeFile(t, root, "tools/bin.sh", tt.script, 0o755)
			}
			got, err := Find(context.Background(), root)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Find() = %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				if errors.Is(err, ErrNotFound) != tt.notFnd {
					t.Errorf("errors.Is(%v, ErrNotFound) = %t, want %t", err, !tt.notFnd, tt.notFnd)
				}
				return
			}
			if err != nil {
				t.Fatalf("Find() error: %v", err)
			}
			if got != tt.want {
				t.Errorf("Find() = %q, want %q", got, tt.want)
			}
		})
	}
}
