package validate

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestUnmarshalDocumentAsSigsYAML decodes every document of the corpora,
// and hostile ones, both ways: the result and the error must be those of
// sigs.k8s.io/yaml.
func TestUnmarshalDocumentAsSigsYAML(t *testing.T) {
	docs := []string{
		"a: 1\nb: 1.5\nc: 9007199254740993\nd: -0\ne: 0x1F\nf: 1e3\n",
		"yes: on\nno: off\nnull: ~\n",
		"1: one\n2.5: x\ntrue: t\n",
		"inf: .inf\n", "nan: .nan\n",
		"- a\n- b\n", "just a scalar\n", "", "# only a comment\n",
		"a: &x {b: 1}\nc: *x\n",
		"a: 1\na: 2\n",
		"bin: !!binary aGVsbG8=\n",
		"bad: \"\\xff\"\n",
		"t: 2024-01-02T03:04:05Z\nd: 2024-01-02\n",
		"nested: {list: [1, {x: null}, [true]]}\n",
		"a: [\n",
		"a: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n",
		"a: " + strings.Repeat("[", 10005) + strings.Repeat("]", 10005) + "\n",
	}
	files, err := filepath.Glob("../../testdata/validate/corpus/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../testdata/validate/variants/*.yaml")
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		split, err := splitDocuments(b)
		if err != nil {
			continue
		}
		for _, d := range split {
			docs = append(docs, string(d))
		}
	}
	if len(docs) < 100 {
		t.Fatalf("%d documents, want the corpora's", len(docs))
	}
	for _, d := range docs {
		var got, want map[string]any
		gotErr := unmarshalDocument([]byte(d), &got)
		wantErr := yaml.Unmarshal([]byte(d), &want)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("%.60q: error %v, sigs.k8s.io/yaml's %v", d, gotErr, wantErr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%.60q: %#v, sigs.k8s.io/yaml makes %#v", strings.TrimSpace(d), got, want)
		}
	}
}
