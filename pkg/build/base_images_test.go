package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Base images change only the parts they give, and --image applies on top
// of them: a cluster's regional registry keeps the overlay's tag, and a
// CI tag keeps the cluster's registry.
func TestBaseImages(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"kustomization.yaml": "resources: [pod.yaml]\nimages:\n- {name: api, newName: registry.example/shop/api, newTag: 1.4.2}\n",
		"pod.yaml":           "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: api, image: api}, {name: side, image: sidecar:1}]\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name         string
		base, images []Image
		want         []string
	}{
		{"registry only", mustParse(t, "api=registry.ap.example/shop/api"), nil, []string{"image: registry.ap.example/shop/api:1.4.2", "image: sidecar:1"}},
		{"with a CI tag", mustParse(t, "api=registry.ap.example/shop/api"), mustParse(t, "api=*:v9"), []string{"image: registry.ap.example/shop/api:v9"}},
		{"a kind the overlay does not list", mustParse(t, "sidecar=mirror.example/sidecar"), nil, []string{"image: mirror.example/sidecar:1", "image: registry.example/shop/api:1.4.2"}},
	} {
		m, err := Build(dir, Options{BaseImages: tt.base, Images: tt.images})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		out, err := m.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.name, w, out)
			}
		}
	}
}
