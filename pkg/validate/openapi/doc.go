// Package openapi compiles OpenAPI v3 schemas (Kubernetes' own, as
// /openapi/v3 serves them, and CRDs' openAPIV3Schema) and checks values
// against them the way the API server decodes and validates objects: null
// is absent, unknown fields are errors where the schema is closed, Quantity
// and IntOrString have their Kubernetes meaning, and a CRD's structural
// schema prunes what it does not declare.
//
// A Catalog is one Kubernetes version's schemas as tools/cmd/openapi-dump
// writes them: index.json (the served kinds) and one gzip'd document per
// group-version, decompressed and compiled on first use. Errors carry a
// Reason and a field path; the package knows nothing of rules, severities
// or findings, which are pkg/validate's.
package openapi
