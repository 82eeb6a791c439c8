package validate_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kship/kship/pkg/validate"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// variantsDir holds valid objects of the built-in kinds (bases.yaml) and the
// edits that make variants of them (mutations.yaml), for the oracle.
const variantsDir = "../../testdata/validate/variants"

// mutation is one entry of mutations.yaml.
type mutation struct {
	Kind   string         `json:"kind"`
	Name   string         `json:"name"`
	Set    map[string]any `json:"set"`
	Delete []string       `json:"delete"`
	// Persist has the oracle create the object for real: a dry run skips
	// some of what a create checks (node ports against their range).
	Persist bool `json:"persist"`
}

// loadVariants returns one case per mutation: its base object, edited.
// Their verdict is the API server's; they carry no expectation.
func loadVariants(t *testing.T) []corpusCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(variantsDir, "bases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bases, err := validate.ReadManifests(bytes.NewReader(b), "bases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]*unstructured.Unstructured{}
	for _, u := range bases {
		byKind[u.GetKind()] = u
	}
	b, err = os.ReadFile(filepath.Join(variantsDir, "mutations.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var muts []mutation
	if err := yaml.UnmarshalStrict(b, &muts); err != nil {
		t.Fatalf("mutations.yaml: %v", err)
	}
	var out []corpusCase
	seen := map[string]bool{}
	for _, m := range muts {
		base, ok := byKind[m.Kind]
		if !ok {
			t.Fatalf("mutations.yaml: %s: no %s in bases.yaml", m.Name, m.Kind)
		}
		name := "variant-" + strings.ToLower(m.Kind) + "-" + m.Name
		if seen[name] {
			t.Fatalf("mutations.yaml: %s %s twice", m.Kind, m.Name)
		}
		seen[name] = true
		u := base.DeepCopy()
		for p, v := range m.Set {
			if err := editPath(u.Object, parsePath(p), v, false); err != nil {
				t.Fatalf("mutations.yaml: %s: set %s: %v", name, p, err)
			}
		}
		for _, p := range m.Delete {
			if err := editPath(u.Object, parsePath(p), nil, true); err != nil {
				t.Fatalf("mutations.yaml: %s: delete %s: %v", name, p, err)
			}
		}
		out = append(out, corpusCase{name: name, check: "(generated)", claim: true, persist: m.Persist, objs: []*unstructured.Unstructured{u}})
	}
	return out
}

// parsePath splits "a.b[0].c[x.y/z]" into "a", "b", 0, "c", "x.y/z".
func parsePath(p string) []any {
	var out []any
	for p != "" {
		switch {
		case p[0] == '.':
			p = p[1:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			k := p[1:end]
			if i, err := strconv.Atoi(k); err == nil {
				out = append(out, i)
			} else {
				out = append(out, k)
			}
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}

// editPath sets (or deletes) the value at path in v, making missing maps on
// the way; a list index may be one past the end, to append.
func editPath(v any, path []any, value any, del bool) error {
	for i, seg := range path {
		last := i == len(path)-1
		switch s := seg.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%q: not a map", s)
			}
			if last {
				if del {
					if _, ok := m[s]; !ok {
						return fmt.Errorf("%q: nothing to delete", s)
					}
					delete(m, s)
				} else {
					m[s] = value
				}
				return nil
			}
			if _, ok := m[s]; !ok {
				if _, next := path[i+1].(int); next {
					m[s] = []any{}
				} else {
					m[s] = map[string]any{}
				}
			}
			if l, isList := m[s].([]any); isList {
				if n, ok := path[i+1].(int); ok && n == len(l) {
					m[s] = append(l, map[string]any{})
				}
			}
			v = m[s]
		case int:
			l, ok := v.([]any)
			if !ok || s >= len(l) {
				return fmt.Errorf("[%d]: no such item", s)
			}
			if last {
				if del {
					return fmt.Errorf("[%d]: deleting list items is not supported", s)
				}
				l[s] = value
				return nil
			}
			v = l[s]
		}
	}
	return nil
}
