package main

import "strings"

// refPrefix starts every $ref in a /openapi/v3 document.
const refPrefix = "#/components/schemas/"

// kept are the schema keywords validation reads. Descriptions, defaults,
// examples and the patch-strategy extensions are dropped: they are most of
// the bytes and validation needs none of them.
var kept = map[string]bool{
	"type": true, "format": true, "properties": true, "additionalProperties": true, "items": true,
	"required": true, "enum": true, "nullable": true, "$ref": true,
	"allOf": true, "oneOf": true, "anyOf": true, "not": true,
	"pattern": true, "minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true,
	"multipleOf": true, "minLength": true, "maxLength": true, "minItems": true, "maxItems": true,
	"uniqueItems": true, "minProperties": true, "maxProperties": true,
	"x-kubernetes-preserve-unknown-fields": true,
	"x-kubernetes-int-or-string":           true,
	"x-kubernetes-embedded-resource":       true,
	"x-kubernetes-group-version-kind":      true,
	"x-kubernetes-list-type":               true,
	"x-kubernetes-list-map-keys":           true,
}

// reachable returns the trimmed schemas that roots reach through $ref.
func reachable(all map[string]any, roots []string) map[string]any {
	out := map[string]any{}
	todo := append([]string(nil), roots...)
	for len(todo) > 0 {
		name := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if _, done := out[name]; done {
			continue
		}
		s, ok := all[name]
		if !ok {
			continue
		}
		t := trim(s)
		out[name] = t
		walkRefs(t, func(ref string) {
			if n, ok := strings.CutPrefix(ref, refPrefix); ok {
				todo = append(todo, n)
			}
		})
	}
	return out
}

// trim returns a copy of the schema s with only the kept keywords, and
// allOf: [{$ref}] (how OpenAPI v3 attaches a description to a reference)
// collapsed to the reference.
func trim(s any) any {
	m, ok := s.(map[string]any)
	if !ok {
		return s
	}
	out := map[string]any{}
	for k, v := range m {
		if !kept[k] {
			continue
		}
		switch k {
		case "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = trim(p)
			}
			out[k] = props
		case "additionalProperties", "items", "not":
			out[k] = trim(v)
		case "allOf", "oneOf", "anyOf":
			list := v.([]any)
			t := make([]any, len(list))
			for i, e := range list {
				t[i] = trim(e)
			}
			out[k] = t
		default:
			out[k] = v
		}
	}
	if all, ok := out["allOf"].([]any); ok && len(all) == 1 && len(out) == 1 {
		if ref, ok := all[0].(map[string]any); ok && len(ref) == 1 && ref["$ref"] != nil {
			return ref
		}
	}
	return out
}

// walkRefs calls f with every $ref in the schema s.
func walkRefs(s any, f func(string)) {
	m, ok := s.(map[string]any)
	if !ok {
		return
	}
	if r, ok := m["$ref"].(string); ok {
		f(r)
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for _, p := range props {
			walkRefs(p, f)
		}
	}
	for _, k := range []string{"additionalProperties", "items", "not"} {
		walkRefs(m[k], f)
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		list, _ := m[k].([]any)
		for _, e := range list {
			walkRefs(e, f)
		}
	}
}
