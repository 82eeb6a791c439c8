package openapi

import (
	"fmt"
	"regexp"
	"strings"
)

// Names of the shared components that validation treats specially.
const (
	ObjectMetaName    = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
	LabelSelectorName = "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"
	quantityName      = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	intOrStringName   = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	refPrefix         = "#/components/schemas/"
)

// Type is a JSON type bit; a Schema's Types is a set of them.
type Type uint8

// The JSON types of OpenAPI's "type".
const (
	TypeObject Type = 1 << iota
	TypeArray
	TypeString
	TypeInteger
	TypeNumber
	TypeBoolean
)

var typeNames = map[string]Type{
	"object": TypeObject, "array": TypeArray, "string": TypeString,
	"integer": TypeInteger, "number": TypeNumber, "boolean": TypeBoolean,
}

// String names the types in t, "string or integer".
func (t Type) String() string {
	var names []string
	for _, n := range []string{"object", "array", "string", "integer", "number", "boolean"} {
		if t&typeNames[n] != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, " or ")
}

// Schema is one compiled schema node: an OpenAPI v3 schema of a built-in
// type, or a CRD's structural openAPIV3Schema.
type Schema struct {
	// Name is the component name for a referenced schema ("" inline).
	Name string
	// Types is the set of allowed JSON types; 0 allows any.
	Types  Type
	Format string
	// Properties are the known fields of an object.
	Properties map[string]*Schema
	// Additional is the schema of fields not in Properties; with
	// AdditionalAny, any value is allowed there.
	Additional    *Schema
	AdditionalAny bool
	Items         *Schema
	Required      []string
	Enum          []any
	// PreserveUnknown is x-kubernetes-preserve-unknown-fields.
	PreserveUnknown bool
	// IntOrString allows an integer or a string.
	IntOrString bool
	// Quantity requires a resource.Quantity: a number or a string that
	// parses as one.
	Quantity bool
	// Embedded is x-kubernetes-embedded-resource: apiVersion, kind and
	// metadata are implied.
	Embedded bool
	// Structural marks a CRD schema: an object that lists no properties
	// allows no fields unless it preserves unknown fields, as the API
	// server prunes them.
	Structural bool

	AllOf, AnyOf, OneOf []*Schema
	Not                 *Schema

	Pattern                            *regexp.Regexp
	Minimum, Maximum, MultipleOf       *float64
	ExclusiveMinimum, ExclusiveMaximum bool
	MinLength, MaxLength               *int64
	MinItems, MaxItems                 *int64
	MinProperties, MaxProperties       *int64
	UniqueItems                        bool
	ListType                           string
	ListMapKeys                        []string
}

// compiler turns schema maps into Schemas, resolving $ref against
// components, each compiled once (so recursive schemas become cycles).
type compiler struct {
	components map[string]any
	done       map[string]*Schema
	structural bool
}

func newCompiler(components map[string]any, structural bool) *compiler {
	return &compiler{components: components, done: map[string]*Schema{}, structural: structural}
}

// component compiles the named component.
func (c *compiler) component(name string) (*Schema, error) {
	if s, ok := c.done[name]; ok {
		return s, nil
	}
	raw, ok := c.components[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no schema %q", name)
	}
	s := &Schema{Name: name}
	c.done[name] = s // before filling it in: references may come back here
	if err := c.fill(s, raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch name {
	case quantityName:
		*s = Schema{Name: name, Quantity: true}
	case intOrStringName:
		*s = Schema{Name: name, IntOrString: true}
	}
	return s, nil
}

// compile compiles an inline schema.
func (c *compiler) compile(v any) (*Schema, error) {
	m, ok := v.(map[string]any)
	if !ok {
		if b, isBool := v.(bool); isBool && b {
			return &Schema{}, nil
		}
		return nil, fmt.Errorf("schema is %T, not an object", v)
	}
	if ref, ok := m["$ref"].(string); ok && len(m) == 1 {
		name, found := strings.CutPrefix(ref, refPrefix)
		if !found {
			return nil, fmt.Errorf("unsupported $ref %q", ref)
		}
		return c.component(name)
	}
	s := &Schema{}
	return s, c.fill(s, m)
}

func (c *compiler) fill(s *Schema, m map[string]any) error {
	s.Structural = c.structural
	for k, v := range m {
		if err := c.keyword(s, k, v); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	if s.Format == "int-or-string" {
		s.IntOrString, s.OneOf, s.Types = true, nil, 0
	}
	if s.IntOrString {
		s.AnyOf, s.Types = nil, 0
	}
	return nil
}
