package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// writeKubeconform converts the dump in from into kubeconform's schema
// layout in out: one self-contained JSON schema per kind, every object that
// lists properties closed with additionalProperties: false (strict), named
// {{ .ResourceKind }}{{ .KindSuffix }}.json, e.g. deployment-apps-v1.json.
func writeKubeconform(from, out string) (int, error) {
	b, err := os.ReadFile(filepath.Join(from, "index.json"))
	if err != nil {
		return 0, err
	}
	var idx index
	if err := json.Unmarshal(b, &idx); err != nil {
		return 0, fmt.Errorf("%s/index.json: %w", from, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	n := 0
	for _, gv := range idx.GroupVersions {
		schemas, err := readDoc(filepath.Join(from, gv.File))
		if err != nil {
			return n, err
		}
		for _, r := range gv.Resources {
			c := converter{all: schemas, onPath: map[string]bool{}}
			js := c.convert(map[string]any{"$ref": refPrefix + r.Schema})
			js.(map[string]any)["$schema"] = "http://json-schema.org/schema#"
			b, err := json.Marshal(js)
			if err != nil {
				return n, err
			}
			name := strings.ToLower(r.Kind) + kindSuffix(gv.GroupVersion) + ".json"
			if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// kindSuffix is kubeconform's KindSuffix: "-v1" for the core group,
// "-apps-v1" for apps/v1, "-networking-v1" for networking.k8s.io/v1.
func kindSuffix(groupVersion string) string {
	group, version, ok := strings.Cut(groupVersion, "/")
	if !ok {
		return "-" + strings.ToLower(group)
	}
	first, _, _ := strings.Cut(group, ".")
	return "-" + strings.ToLower(first) + "-" + strings.ToLower(version)
}

func readDoc(path string) (map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc.Components.Schemas, nil
}

// converter inlines references (standalone) and closes objects (strict),
// as openapi2jsonschema does. A reference back into a schema being
// inlined (the recursive JSONSchemaProps of CRDs) becomes {}, any value.
type converter struct {
	all    map[string]any
	onPath map[string]bool
}

func (c *converter) convert(s any) any {
	m, ok := s.(map[string]any)
	if !ok {
		return s
	}
	if ref, ok := m["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, refPrefix)
		if c.onPath[name] {
			return map[string]any{}
		}
		c.onPath[name] = true
		defer delete(c.onPath, name)
		return c.convert(c.all[name])
	}
	out := map[string]any{}
	for k, v := range m {
		switch k {
		case "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = c.convert(p)
			}
			out[k] = props
		case "additionalProperties", "items", "not":
			out[k] = c.convert(v)
		case "allOf", "oneOf", "anyOf":
			list := v.([]any)
			t := make([]any, len(list))
			for i, e := range list {
				t[i] = c.convert(e)
			}
			out[k] = t
		case "x-kubernetes-int-or-string":
			out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
		case "x-kubernetes-group-version-kind", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
			"x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "nullable":
		default:
			out[k] = v
		}
	}
	if out["oneOf"] != nil && m["x-kubernetes-int-or-string"] != nil {
		delete(out, "type")
		delete(out, "format")
	}
	if _, ok := out["properties"]; ok && out["additionalProperties"] == nil && m["x-kubernetes-preserve-unknown-fields"] != true {
		out["additionalProperties"] = false
	}
	allowNullOptional(out)
	return out
}

// allowNullOptional lets optional properties be null, as the API server's
// decoding does and openapi2jsonschema's output allows.
func allowNullOptional(s map[string]any) {
	props, ok := s["properties"].(map[string]any)
	if !ok {
		return
	}
	required := map[string]bool{}
	if list, ok := s["required"].([]any); ok {
		for _, r := range list {
			required[r.(string)] = true
		}
	}
	for name, p := range props {
		pm, ok := p.(map[string]any)
		if !ok || required[name] {
			continue
		}
		if t, ok := pm["type"].(string); ok {
			pm["type"] = []any{t, "null"}
		}
	}
}
