package openapi

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func compileJSON(t *testing.T, components string, root string, structural bool) *Schema {
	t.Helper()
	var comps map[string]any
	if err := json.Unmarshal([]byte(components), &comps); err != nil {
		t.Fatal(err)
	}
	s, err := newCompiler(comps, structural).component(root)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

type got struct {
	Reason Reason
	Path   string
}

func brief(errs []Error) []got {
	out := make([]got, len(errs))
	for i, e := range errs {
		out[i] = got{e.Reason, e.Path}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if len(out) == 0 {
		return nil
	}
	return out
}

// builtin mimics a trimmed /openapi/v3 document: a reference cycle,
// Quantity and IntOrString as Kubernetes publishes them, a free-form object.
const builtin = `{
 "Thing": {"type": "object", "required": ["name"], "properties": {
   "name": {"type": "string"},
   "count": {"type": "integer", "format": "int32"},
   "ratio": {"type": "number"},
   "on": {"type": "boolean"},
   "mode": {"type": "string", "enum": ["A", "B"]},
   "cpu": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"},
   "port": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
   "data": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
   "free": {"type": "object"},
   "when": {"type": "string", "format": "date-time"},
   "children": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
 }},
 "io.k8s.apimachinery.pkg.api.resource.Quantity": {"oneOf": [{"type": "string"}, {"type": "number"}]},
 "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]}
}`

func TestValidateBuiltin(t *testing.T) {
	s := compileJSON(t, builtin, "Thing", false)
	tests := []struct {
		name  string
		value string
		want  []got
	}{
		{"valid", `{"name": "a", "count": 3, "ratio": 1.5, "on": true, "mode": "A", "cpu": "250m", "port": "http",
			"data": {"k": "aGk="}, "free": {"x": [1]}, "when": "2024-01-02T03:04:05Z", "children": [{"name": "b", "port": 80, "cpu": 1}]}`, nil},
		{"null is absent", `{"name": "a", "count": null, "children": null}`, nil},
		{"required", `{"children": [{}]}`, []got{{Required, "children[0].name"}, {Required, "name"}}},
		{"null required", `{"name": null}`, []got{{Required, "name"}}},
		{"unknown", `{"name": "a", "nmae": "b"}`, []got{{UnknownField, "nmae"}}},
		{"types", `{"name": 1, "count": "3", "ratio": "x", "on": "true", "children": {}}`,
			[]got{{WrongType, "children"}, {WrongType, "count"}, {WrongType, "name"}, {WrongType, "on"}, {WrongType, "ratio"}}},
		{"whole float is an integer", `{"name": "a", "count": 3.0}`, nil},
		{"fraction is not", `{"name": "a", "count": 3.5}`, []got{{WrongType, "count"}}},
		{"int32", `{"name": "a", "count": 2147483648}`, []got{{BadFormat, "count"}}},
		{"enum", `{"name": "a", "mode": "C"}`, []got{{NotInEnum, "mode"}}},
		{"empty enum value", `{"name": "a", "mode": ""}`, nil},
		{"quantity", `{"name": "a", "cpu": "1x"}`, []got{{BadQuantity, "cpu"}}},
		{"quantity type", `{"name": "a", "cpu": true}`, []got{{WrongType, "cpu"}}},
		{"int-or-string", `{"name": "a", "port": 1.5}`, []got{{BadFormat, "port"}}},
		{"int-or-string type", `{"name": "a", "port": [1]}`, []got{{WrongType, "port"}}},
		{"base64", `{"name": "a", "data": {"k": "not base64!"}}`, []got{{BadFormat, "data.k"}}},
		{"date-time", `{"name": "a", "when": "yesterday"}`, []got{{BadFormat, "when"}}},
		{"recursion", `{"name": "a", "children": [{"name": "b", "children": [{"name": "c", "bad": 1}]}]}`, []got{{UnknownField, "children[0].children[0].bad"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Validate(decode(t, tt.value), s, nil, Options{QuoteValues: true})
			if diff := cmp.Diff(tt.want, brief(errs)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, errs)
			}
		})
	}
}

// structural mimics a CRD's openAPIV3Schema.
const structural = `{"Root": {"type": "object", "properties": {
  "spec": {"type": "object", "required": ["size"], "properties": {
    "size": {"type": "string", "enum": ["s", "l"]},
    "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
    "n": {"type": "integer", "minimum": 1, "maximum": 3, "exclusiveMaximum": true},
    "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
    "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set", "maxItems": 2},
    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["p"], "items": {"type": "object", "properties": {"p": {"type": "integer"}}}},
    "any": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
    "closed": {"type": "object"},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    "open": {"type": "object", "additionalProperties": true},
    "embedded": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
    "either": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
    "not": {"type": "string", "not": {"enum": ["forbidden"]}}
  }}
}}}`

func TestValidateStructural(t *testing.T) {
	s := compileJSON(t, structural, "Root", true)
	tests := []struct {
		name  string
		value string
		want  []got
	}{
		{"valid", `{"spec": {"size": "s", "name": "abc", "n": 2, "port": "http", "tags": ["a", "b"], "ports": [{"p": 1}, {"p": 2}],
			"any": {"x": {"y": 1}}, "labels": {"a": "b"}, "open": {"x": 1}, "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": {"z": 1}},
			"either": {"a": "x"}, "not": "ok"}}`, nil},
		{"closed object", `{"spec": {"size": "s", "closed": {"x": 1}}}`, []got{{UnknownField, "spec.closed.x"}}},
		{"constraints", `{"spec": {"size": "m", "name": "ABCDEFG", "n": 3, "tags": ["a", "a", "b"], "ports": [{"p": 1}, {"p": 1}], "either": {"a": "x", "b": "y"}, "not": "forbidden"}}`,
			[]got{{Constraint, "spec.either"}, {Constraint, "spec.n"}, {Constraint, "spec.name"}, {Constraint, "spec.name"}, {Constraint, "spec.not"},
				{Constraint, "spec.ports[1]"}, {NotInEnum, "spec.size"}, {Constraint, "spec.tags"}, {Constraint, "spec.tags[1]"}}},
		{"empty enum value is not defaulted", `{"spec": {"size": ""}}`, []got{{NotInEnum, "spec.size"}}},
		{"additionalProperties schema", `{"spec": {"size": "s", "labels": {"a": 1}}}`, []got{{WrongType, "spec.labels.a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Validate(decode(t, tt.value), s, nil, Options{})
			if diff := cmp.Diff(tt.want, brief(errs)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, errs)
			}
		})
	}
}

func TestQuoteValues(t *testing.T) {
	s := compileJSON(t, builtin, "Thing", false)
	v := decode(t, `{"name": "a", "mode": "s3cr3t", "cpu": "s3cr3t"}`)
	for _, e := range Validate(v, s, nil, Options{}) {
		if contains(e.Detail, "s3cr3t") {
			t.Errorf("%s: %q quotes the value although QuoteValues is off", e.Path, e.Detail)
		}
	}
	quoted := Validate(v, s, nil, Options{QuoteValues: true})
	if len(quoted) != 2 || !contains(quoted[0].Detail+quoted[1].Detail, `"s3cr3t"`) {
		t.Errorf("with QuoteValues, want the value quoted: %v", quoted)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestPathString(t *testing.T) {
	p := Path{{Key: "metadata"}, {Key: "labels"}, {Key: "app.kubernetes.io/name"}}
	if got, want := p.String(), "metadata.labels[app.kubernetes.io/name]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p = Path{{Key: "spec"}, {Key: "containers"}, {Index: 2}, {Key: "image"}}
	if got, want := p.String(), "spec.containers[2].image"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestQuoteNumbers quotes a number as it was written, not in Go's
// exponent form: YAML and JSON make 4294967296 a float.
func TestQuoteNumbers(t *testing.T) {
	s := compileJSON(t, builtin, "Thing", false)
	errs := Validate(decode(t, `{"name": "a", "count": 4294967296}`), s, nil, Options{QuoteValues: true})
	if len(errs) != 1 || !contains(errs[0].Detail, "value 4294967296 is out of range") {
		t.Errorf("want the value as written: %v", errs)
	}
}
