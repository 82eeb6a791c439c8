package config

import (
	"fmt"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// MaxFileSize is the most bytes kship.yaml may have: it names
// environments, and a larger one is not a kship.yaml.
const MaxFileSize = 1 << 20

// Limits raises (or lowers) the limits on what a build reads, which keep a
// hostile tree from exhausting memory: kship.yaml's top-level limits:
// section. Zero fields keep kship's defaults (see pkg/build).
type Limits struct {
	// MaxFileSize is the most bytes one file of the tree may have.
	MaxFileSize Size `yaml:"maxFileSize" json:"maxFileSize,omitempty"`
	// MaxAliasExpansion is the most that a YAML file's aliases may add
	// once written out.
	MaxAliasExpansion Size `yaml:"maxAliasExpansion" json:"maxAliasExpansion,omitempty"`
	// MaxBuildSize is the most one build may read in all.
	MaxBuildSize Size `yaml:"maxBuildSize" json:"maxBuildSize,omitempty"`
}

// Size is a number of bytes, written in kship.yaml as an integer or a
// Kubernetes quantity: 64Mi, 1Gi, 500k.
type Size int64

// UnmarshalYAML reads a positive whole number of bytes.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	q, err := resource.ParseQuantity(n.Value)
	v, exact := q.AsInt64()
	if n.Kind != yaml.ScalarNode || err != nil || !exact || v <= 0 {
		return fmt.Errorf("line %d: %q is not a size: write a positive number of bytes, or a quantity such as 64Mi", n.Line, n.Value)
	}
	*s = Size(v)
	return nil
}
