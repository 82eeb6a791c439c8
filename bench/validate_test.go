package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestCRDSchemas writes kubeconform's schema for each CRD version, strict
// where the CRD names its fields, open where it preserves unknown ones.
func TestCRDSchemas(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "built.yaml")
	built := `apiVersion: v1
kind: ConfigMap
metadata: {name: x}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.crds.kship.dev}
spec:
  group: crds.kship.dev
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {phase: {type: string}}}
`
	if err := os.WriteFile(file, []byte(built), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := crdSchemas(file, dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "gadget-crds-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		AdditionalProperties any `json:"additionalProperties"`
		Properties           map[string]struct {
			AdditionalProperties any `json:"additionalProperties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.AdditionalProperties != false || s.Properties["spec"].AdditionalProperties != false {
		t.Errorf("top and spec are not strict: %s", b)
	}
	if s.Properties["status"].AdditionalProperties != nil {
		t.Errorf("status preserves unknown fields but was made strict: %s", b)
	}
	for _, f := range []string{"apiVersion", "kind", "metadata"} {
		if _, ok := s.Properties[f]; !ok {
			t.Errorf("no %s at the top: %s", f, b)
		}
	}
}
