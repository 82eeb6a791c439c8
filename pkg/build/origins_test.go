package build

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOriginsLeaveOutputUnchanged builds every kustomization in the
// repository with and without Options.Origins: the output must be
// byte-identical (the origin annotations are stripped again), and every
// object must have an origin.
func TestOriginsLeaveOutputUnchanged(t *testing.T) {
	var dirs []string
	for _, top := range []string{"base", "overlays", "examples", "testdata/parity"} {
		err := filepath.WalkDir(filepath.Join("..", "..", top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (d.Name() == "kustomization.yaml" || d.Name() == "kustomization.yml" || d.Name() == "Kustomization") {
				dirs = append(dirs, filepath.Dir(p))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(dirs) < 10 {
		t.Fatalf("found only %d kustomizations", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(strings.TrimPrefix(dir, "../../"), func(t *testing.T) {
			plain, errPlain := Build(dir, Options{})
			origins := Origins{}
			with, errWith := Build(dir, Options{Origins: origins})
			if (errPlain == nil) != (errWith == nil) {
				t.Fatalf("without origins: %v; with: %v", errPlain, errWith)
			}
			if errPlain != nil {
				return
			}
			a, _ := YAML(plain)
			b, _ := YAML(with)
			if !bytes.Equal(a, b) {
				t.Fatalf("output differs with Origins:\n%s\n---- vs ----\n%s", a, b)
			}
			objs, err := Objects(with)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				if origins.Of(o) == nil {
					t.Errorf("%s/%s has no origin", o.GetKind(), o.GetName())
				}
			}
		})
	}
}

func TestOriginsWithImagesAndExistingBuildMetadata(t *testing.T) {
	kust := "resources: [deployment.yaml]\nbuildMetadata: [transformerAnnotations]\nimages:\n- name: api\n  newTag: \"1.0\"\n"
	dir := writeTree(t, map[string]string{"kustomization.yaml": kust, "deployment.yaml": deployment})
	origins := Origins{}
	m, err := Build(dir, Options{Origins: origins, Images: []Image{{Name: "api", NewTag: "2.0"}}})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := YAML(m)
	if !strings.Contains(string(out), "image: api:2.0") || strings.Contains(string(out), "config.kubernetes.io/origin") {
		t.Errorf("want the image override and no origin annotation:\n%s", out)
	}
	objs, _ := Objects(m)
	if o := origins.Of(objs[0]); o == nil || o.Path != "deployment.yaml" {
		t.Errorf("origin = %+v, want path deployment.yaml", o)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "kustomization.yaml")); string(got) != kust {
		t.Errorf("kustomization.yaml on disk changed:\n%s", got)
	}

	// A tree that asks for origin annotations itself keeps them.
	dir = writeTree(t, map[string]string{"kustomization.yaml": "resources: [deployment.yaml]\nbuildMetadata: [originAnnotations]\n", "deployment.yaml": deployment})
	origins = Origins{}
	m, err = Build(dir, Options{Origins: origins})
	if err != nil {
		t.Fatal(err)
	}
	out, _ = YAML(m)
	if !strings.Contains(string(out), "config.kubernetes.io/origin") {
		t.Errorf("the tree's own originAnnotations were stripped:\n%s", out)
	}
	if len(origins) != 1 {
		t.Errorf("origins = %v, want one", origins)
	}
}
