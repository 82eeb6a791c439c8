package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parse(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReachableTrims(t *testing.T) {
	all := parse(t, `{
	  "A": {"description": "drop me", "type": "object", "required": ["b"], "x-kubernetes-patch-strategy": "merge",
	        "properties": {"b": {"allOf": [{"$ref": "#/components/schemas/B"}], "description": "b", "default": {}},
	                       "$ref": {"type": "string", "description": "a property named $ref"}}},
	  "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}, "n": {"type": "integer", "format": "int32", "example": 3}}},
	  "Unused": {"type": "string"}
	}`)
	want := parse(t, `{
	  "A": {"type": "object", "required": ["b"], "properties": {"b": {"$ref": "#/components/schemas/B"}, "$ref": {"type": "string"}}},
	  "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}, "n": {"type": "integer", "format": "int32"}}}
	}`)
	if diff := cmp.Diff(want, reachable(all, []string{"A"})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestKubeconformConversion(t *testing.T) {
	all := parse(t, `{
	  "Root": {"type": "object", "required": ["spec"], "properties": {"spec": {"$ref": "#/components/schemas/Spec"}}},
	  "Spec": {"type": "object", "properties": {
	     "port": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
	     "self": {"$ref": "#/components/schemas/Spec"},
	     "any": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"x": {"type": "string"}}}}},
	  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]}
	}`)
	c := converter{all: all, onPath: map[string]bool{}}
	got := c.convert(map[string]any{"$ref": refPrefix + "Root"})
	// spec is required, so it may not be null; self refers back into Spec
	// and becomes {} (anything).
	want := parse(t, `{"type": "object", "required": ["spec"], "additionalProperties": false, "properties": {"spec": {
	  "type": "object", "additionalProperties": false, "properties": {
	    "port": {"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]},
	    "self": {},
	    "any": {"type": ["object", "null"], "properties": {"x": {"type": ["string", "null"]}}}}}}}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, want := kindSuffix("apps/v1"), "-apps-v1"; got != want {
		t.Errorf("kindSuffix(apps/v1) = %q", got)
	}
	if got, want := kindSuffix("networking.k8s.io/v1"), "-networking-v1"; got != want {
		t.Errorf("kindSuffix = %q, want %q", got, want)
	}
	if got, want := kindSuffix("v1"), "-v1"; got != want {
		t.Errorf("kindSuffix = %q, want %q", got, want)
	}
}
