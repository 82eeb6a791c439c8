package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `
environments:
  stage:
    overlay: overlays/stage
    context: stage
    namespace: shop-stage
    branches: [develop, "release/*"]
  prod:
    overlay: overlays/prod
    context: prod
    branches: [master, main]
`

func TestParse(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := &Environment{Name: "stage", Overlay: "/repo/overlays/stage", Context: "stage", Namespace: "shop-stage", Branches: []string{"develop", "release/*"}}
	if diff := cmp.Diff(want, c.Environments["stage"]); diff != "" {
		t.Errorf("stage (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"prod", "stage"}, c.Names()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"malformed", "environments: [", "kship.yaml: yaml: line 1"},
		{"unknown field", "environments:\n  stage:\n    overlays: x\n", "line 3: field overlays not found"},
		{"empty", "", "no environments"},
		{"no overlay", "environments:\n  stage:\n    context: c\n", `environment "stage": has no 'overlay'`},
		{"no context", "environments:\n  stage:\n    overlay: o\n", `environment "stage": has no 'context'`},
		{"bad name", "environments:\n  Stage:\n    overlay: o\n    context: c\n", "lowercase"},
		{"null env", "environments:\n  stage:\n", "is empty"},
		{"bad pattern", "environments:\n  stage:\n    overlay: o\n    context: c\n    branches: ['[']\n", `branch pattern "["`},
		{"branch twice", "environments:\n  a:\n    overlay: o\n    context: c\n    branches: [x]\n  b:\n    overlay: o\n    context: c\n    branches: [x]\n", `branch "x" deploys to both "a" and "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("kship.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestForBranch(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"develop":     "stage",
		"release/1.2": "stage",
		"main":        "prod",
		"master":      "prod",
		"feature/x":   "",
		"release":     "",
	}
	for branch, want := range tests {
		got := ""
		if env := c.ForBranch(branch); env != nil {
			got = env.Name
		}
		if got != want {
			t.Errorf("ForBranch(%q) = %q, want %q", branch, got, want)
		}
	}
}

func TestEnvironmentUnknown(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Environment("qa")
	want := `unknown environment "qa": /repo/kship.yaml defines prod, stage`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(sub); err != ErrNotFound {
		t.Fatalf("Find without kship.yaml: err = %v, want ErrNotFound", err)
	}
	want := filepath.Join(root, FileName)
	if err := os.WriteFile(want, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Find(sub)
	if err != nil || got != want {
		t.Fatalf("Find = %q, %v; want %q", got, err, want)
	}
}

func TestRel(t *testing.T) {
	c := &Config{Path: "/repo/kship.yaml"}
	for in, want := range map[string]string{"/repo/overlays/x": "overlays/x", "/elsewhere/x": "/elsewhere/x", "/repo/..x/y": "..x/y"} {
		if got := c.Rel(in); got != want {
			t.Errorf("Rel(%q) = %q, want %q", in, got, want)
		}
	}
}
