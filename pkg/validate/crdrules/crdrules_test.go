package crdrules

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func decode(t *testing.T, y string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

const schema = `
type: object
properties:
  spec:
    type: object
    x-kubernetes-validations:
    - {rule: "self.min <= self.max", message: min must not exceed max}
    properties:
      min: {type: integer, default: 1}
      max: {type: integer, default: 10}
      id: {type: string, format: uuid}
      tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
`

func TestCheck(t *testing.T) {
	v, err := Compile(decode(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, spec, want string }{
		{name: "valid", spec: "{min: 2, max: 3}"},
		{name: "a rule fails", spec: "{min: 5, max: 3}", want: "spec: Invalid value: min must not exceed max"},
		{name: "a rule fails on a default", spec: "{min: 11}", want: "min must not exceed max"},
		{name: "a format", spec: "{id: nope}", want: `spec.id in body must be of type uuid: "nope"`},
		{name: "a set with duplicates", spec: "{tags: [a, a]}", want: `spec.tags[1]: Duplicate value: "a"`},
		{name: "unknown fields are pruned, as the API server does before it validates", spec: "{min: 1, colour: red}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := decode(t, "apiVersion: example.com/v1\nkind: Scaler\nmetadata: {name: s}\nspec: "+tc.spec)
			errs := v.Check(obj)
			if tc.want == "" {
				if len(errs) > 0 {
					t.Errorf("errors: %v", errs)
				}
				return
			}
			if !strings.Contains(errs.ToAggregate().Error(), tc.want) {
				t.Errorf("errors %v, want %q", errs, tc.want)
			}
			if _, defaulted := obj["spec"].(map[string]any)["max"]; defaulted && tc.name == "a rule fails on a default" {
				t.Error("Check changed the object")
			}
		})
	}
}

func TestCompileRefusesNonStructuralSchemas(t *testing.T) {
	if _, err := Compile(decode(t, "type: object\nproperties: {spec: {properties: {a: {type: string}}}}")); err == nil {
		t.Error("a property without a type compiled")
	}
}
