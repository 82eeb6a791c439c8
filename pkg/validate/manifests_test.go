package validate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/validate"
)

func TestReadManifests(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string // Kind/name
		wantErr string
	}{
		{name: "stream", in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n", want: []string{"ConfigMap/a", "Secret/b"}},
		{name: "list", in: "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n", want: []string{"ConfigMap/a", "ConfigMap/b"}},
		{name: "json", in: `{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}]}`, want: []string{"Service/s"}},
		{name: "YAML 1.1 booleans, as kubectl reads them", in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: yes}\n", want: []string{"ConfigMap/a"}},
		{name: "malformed", in: "apiVersion: v1\n---\nkind: [\n", wantErr: "in: document 2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := validate.ReadManifests(strings.NewReader(tt.in), "in")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	objs, _ := validate.ReadManifests(strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: yes}\n"), "in")
	if v := objs[0].Object["data"].(map[string]any)["x"]; v != true {
		t.Errorf("yes decoded as %#v, want true as kubectl does", v)
	}
}

func TestReadManifestFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"sub/b.yml":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
		"sub/c.json": `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}`,
		"README.md":  "not yaml",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := validate.ReadManifestFiles([]string{dir, "-"}, strings.NewReader("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.GetName())
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "s"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := validate.ReadManifestFiles([]string{filepath.Join(dir, "nope.yaml")}, nil, nil); err == nil {
		t.Error("a missing file is not an error")
	}
}
