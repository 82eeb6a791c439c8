package openapi

import (
	"encoding/json"
	"fmt"
)

// CRDKind is one served version of a CustomResourceDefinition.
type CRDKind struct {
	// CRD is the definition's name, "widgets.example.com".
	CRD          string
	GroupVersion string
	Kind         string
	Namespaced   bool
	// Schema is the version's openAPIV3Schema with the fields every
	// object has (apiVersion, kind, metadata) added; nil when the version
	// has no schema, which the API server only allows for
	// x-kubernetes-preserve-unknown-fields objects in old CRDs.
	Schema *Schema
	// OpenAPIV3Schema is the version's schema as the CRD writes it.
	OpenAPIV3Schema map[string]any
}

type crdSpec struct {
	Group string `json:"group"`
	Names struct {
		Kind string `json:"kind"`
	} `json:"names"`
	Scope    string `json:"scope"`
	Versions []struct {
		Name   string `json:"name"`
		Served bool   `json:"served"`
		Schema *struct {
			OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
		} `json:"schema"`
	} `json:"versions"`
}

// CompileCRD compiles the served versions of an
// apiextensions.k8s.io/v1 CustomResourceDefinition. meta is the schema of
// metadata (Catalog.ObjectMeta).
func CompileCRD(crd map[string]any, meta *Schema) ([]*CRDKind, error) {
	var spec crdSpec
	b, err := json.Marshal(crd["spec"])
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	name, _ := crd["metadata"].(map[string]any)["name"].(string)
	var out []*CRDKind
	for _, v := range spec.Versions {
		if !v.Served || spec.Group == "" || spec.Names.Kind == "" {
			continue
		}
		k := &CRDKind{CRD: name, GroupVersion: spec.Group + "/" + v.Name, Kind: spec.Names.Kind, Namespaced: spec.Scope != "Cluster"}
		if v.Schema != nil && v.Schema.OpenAPIV3Schema != nil {
			s, err := newCompiler(nil, true).compile(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("version %s: openAPIV3Schema: %w", v.Name, err)
			}
			k.Schema = withObjectFields(s, meta)
			k.OpenAPIV3Schema = v.Schema.OpenAPIV3Schema
		}
		out = append(out, k)
	}
	return out, nil
}

// withObjectFields declares apiVersion, kind and metadata at the root, as
// the API server does for every custom resource whatever its schema says.
func withObjectFields(s *Schema, meta *Schema) *Schema {
	root := *s
	props := make(map[string]*Schema, len(s.Properties)+3)
	for k, v := range s.Properties {
		props[k] = v
	}
	props["apiVersion"] = &Schema{Types: TypeString}
	props["kind"] = &Schema{Types: TypeString}
	props["metadata"] = meta
	root.Properties = props
	return &root
}
