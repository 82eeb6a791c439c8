package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: api
`

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildImagesInMemory(t *testing.T) {
	kust := "# the overlay\nresources: [deployment.yaml]\nimages:\n- name: api\n  newName: registry.example/api\n  newTag: \"1.0\"\n"
	dir := writeTree(t, map[string]string{"kustomization.yaml": kust, "deployment.yaml": deployment})

	tests := []struct {
		images []Image
		want   string
	}{
		{nil, "image: registry.example/api:1.0"},
		{[]Image{{Name: "api", NewName: "r/api", NewTag: "abc"}}, "image: r/api:abc"},
		{[]Image{{Name: "api", NewName: "*", NewTag: "abc"}}, "image: registry.example/api:abc"},
		{[]Image{{Name: "api", Digest: "sha256:00"}}, "image: api@sha256:00"},
	}
	for _, tt := range tests {
		m, err := Build(dir, Options{Images: tt.images})
		if err != nil {
			t.Fatal(err)
		}
		out, err := YAML(m)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), tt.want) {
			t.Errorf("images %v: output lacks %q:\n%s", tt.images, tt.want, out)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != kust {
		t.Errorf("kustomization.yaml on disk changed:\n%s", got)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		dir   string
		want  []string
	}{
		{
			name: "missing directory",
			dir:  "nope",
			want: []string{"build ", "nope: directory does not exist"},
		},
		{
			name:  "no kustomization",
			files: map[string]string{"x.yaml": deployment},
			want:  []string{"no kustomization.yaml in"},
		},
		{
			name:  "malformed yaml names the file",
			files: map[string]string{"kustomization.yaml": "resources: [bad.yaml]\n", "bad.yaml": "kind: [\n"},
			want:  []string{"bad.yaml"},
		},
		{
			name:  "missing base",
			files: map[string]string{"kustomization.yaml": "resources: [../base-that-is-not-there]\n"},
			want:  []string{"base-that-is-not-there"},
		},
		{
			name:  "exec function refused by default",
			files: map[string]string{"kustomization.yaml": "generators: [gen.yaml]\n", "gen.yaml": "apiVersion: x/v1\nkind: Gen\nmetadata:\n  name: g\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: /bin/true\n"},
			want:  []string{"external plugins disabled", "--enable-alpha-plugins"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			if tt.dir != "" {
				dir = filepath.Join(dir, tt.dir)
			}
			_, err := Build(dir, Options{})
			if err == nil {
				t.Fatal("Build succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}
