package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnvironmentNames(t *testing.T) {
	long := strings.Repeat("a", 64)
	tests := []struct{ name, want string }{
		{"stage", ""},
		{"prod-eu-1", ""},
		{"r1-2", ""},
		{"shop-r1", ""},
		{strings.Repeat("a", 63), ""},
		{long, "must be no more than 63 characters"},
		{"shop-r1-2", "must not end in -r<number>-<number>"},
		{"a-r10-0", "must not end in -r<number>-<number>"},
		{"Stage", "must be DNS labels"},
		{"stage.eu", "must be DNS labels"},
		{"-stage", "must be DNS labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/repo/kship.yaml", []byte("environments:\n  "+tt.name+": {overlay: o, context: c}\n"))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), "/repo/kship.yaml:2: environment"):
				t.Errorf("err = %v, want it to name line 2", err)
			}
		})
	}
}

// repoWithConfig makes a git work tree (a .git directory is enough) with
// kship.yaml in sub, and returns the root and kship.yaml's path.
func repoWithConfig(t *testing.T, sub string) (string, string) {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, sub, "overlays", "stage"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root, filepath.Join(root, sub, FileName)
}

func TestOverlayOutsideRepository(t *testing.T) {
	root, path := repoWithConfig(t, "deploy")
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "deploy", "overlays", "linked")); err != nil {
		t.Fatal(err)
	}
	notGit := t.TempDir()
	tests := []struct {
		name, path, yaml, want string
	}{
		{"inside", path, "environments:\n  stage: {overlay: overlays/stage, context: c}\n", ""},
		{"elsewhere in the repository", path, "environments:\n  stage: {overlay: ../other, context: c}\n", ""},
		{"above the repository", path, "environments:\n  stage:\n    context: c\n    overlay: ../../x\n", "kship.yaml:4: environment \"stage\": overlay " + filepath.Dir(root) + "/x is outside the repository " + root},
		{"absolute", path, "environments:\n  stage: {overlay: /etc, context: c}\n", "overlay /etc is outside the repository"},
		{"through a link", path, "environments:\n  stage: {overlay: overlays/linked, context: c}\n", "is outside the repository"},
		{"allowed", path, "allowOverlaysOutsideRepository: true\nenvironments:\n  stage: {overlay: /etc, context: c}\n", ""},
		{"not in git: the directory is the repository", filepath.Join(notGit, FileName), "environments:\n  stage: {overlay: ../x, context: c}\n", "is outside the repository " + notGit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.path, []byte(tt.yaml))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), "allowOverlaysOutsideRepository: true"):
				t.Errorf("err = %v, want it to say how to allow it", err)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte("limits: {maxFileSize: 64Mi, maxAliasExpansion: 1000000, maxBuildSize: 1Gi}\nenvironments:\n  s: {overlay: o, context: c}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(Limits{MaxFileSize: 64 << 20, MaxAliasExpansion: 1000000, MaxBuildSize: 1 << 30}, c.Limits); d != "" {
		t.Errorf("limits (-want +got):\n%s", d)
	}
	for _, bad := range []string{"0", "-1", "1.5", "lots", "[1]", "1m"} {
		_, err := Parse("/repo/kship.yaml", []byte("environments:\n  s: {overlay: o, context: c}\nlimits:\n  maxFileSize: "+bad+"\n"))
		if err == nil || !strings.Contains(err.Error(), "line 4: ") || !strings.Contains(err.Error(), "is not a size") {
			t.Errorf("maxFileSize %s: err = %v, want a refusal naming line 4", bad, err)
		}
	}
	if _, err := Parse("/repo/kship.yaml", []byte("limits: {maxFileSise: 1Mi}\nenvironments:\n  s: {overlay: o, context: c}\n")); err == nil || !strings.Contains(err.Error(), "field maxFileSise not found") {
		t.Errorf("a misspelt limit: %v", err)
	}
}

func TestConfigSize(t *testing.T) {
	big := "environments:\n  s: {overlay: o, context: c}\n# " + strings.Repeat("x", MaxFileSize) + "\n"
	if _, err := Parse("/repo/kship.yaml", []byte(big)); err == nil || !strings.Contains(err.Error(), "more than 1048576 bytes") {
		t.Errorf("a huge kship.yaml: %v", err)
	}
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "more than 1048576 bytes") {
		t.Errorf("Load of a huge kship.yaml: %v", err)
	}
}
