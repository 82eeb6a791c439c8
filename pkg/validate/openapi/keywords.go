package openapi

import (
	"fmt"
	"regexp"
)

// keyword reads one schema keyword into s. Keywords validation does not
// use (description, default, example, ...) are ignored.
func (c *compiler) keyword(s *Schema, k string, v any) error {
	var err error
	switch k {
	case "$ref":
		// A reference next to other keywords: validate against both.
		var ref *Schema
		if ref, err = c.compile(map[string]any{"$ref": v}); err == nil {
			s.AllOf = append(s.AllOf, ref)
		}
	case "type":
		err = c.types(s, v)
	case "format":
		s.Format, _ = v.(string)
	case "properties":
		err = c.properties(s, v)
	case "additionalProperties":
		if b, ok := v.(bool); ok {
			s.AdditionalAny = b
			break
		}
		s.Additional, err = c.compile(v)
	case "items":
		s.Items, err = c.compile(v)
	case "required":
		s.Required, err = stringList(v)
	case "enum":
		s.Enum, _ = v.([]any)
	case "nullable":
		// Null is treated as absent everywhere, as the API server does for
		// built-in types and prunes it for CRDs.
	case "allOf", "anyOf", "oneOf":
		err = c.list(s, k, v)
	case "not":
		s.Not, err = c.compile(v)
	case "pattern":
		err = c.pattern(s, v)
	case "x-kubernetes-preserve-unknown-fields":
		s.PreserveUnknown, _ = v.(bool)
	case "x-kubernetes-int-or-string":
		s.IntOrString, _ = v.(bool)
	case "x-kubernetes-embedded-resource":
		s.Embedded, _ = v.(bool)
	case "x-kubernetes-list-type":
		s.ListType, _ = v.(string)
	case "x-kubernetes-list-map-keys":
		s.ListMapKeys, err = stringList(v)
	case "uniqueItems":
		s.UniqueItems, _ = v.(bool)
	case "exclusiveMinimum":
		s.ExclusiveMinimum, _ = v.(bool)
	case "exclusiveMaximum":
		s.ExclusiveMaximum, _ = v.(bool)
	default:
		err = c.bound(s, k, v)
	}
	return err
}

func (c *compiler) types(s *Schema, v any) error {
	switch t := v.(type) {
	case string:
		s.Types |= typeNames[t]
	case []any:
		for _, e := range t {
			name, _ := e.(string)
			s.Types |= typeNames[name]
		}
	default:
		return fmt.Errorf("want a string, got %T", v)
	}
	return nil
}

func (c *compiler) properties(s *Schema, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("want an object, got %T", v)
	}
	s.Properties = make(map[string]*Schema, len(m))
	for name, p := range m {
		ps, err := c.compile(p)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		s.Properties[name] = ps
	}
	return nil
}

func (c *compiler) list(s *Schema, k string, v any) error {
	items, ok := v.([]any)
	if !ok {
		return fmt.Errorf("want a list, got %T", v)
	}
	out := make([]*Schema, 0, len(items))
	for _, e := range items {
		es, err := c.compile(e)
		if err != nil {
			return err
		}
		out = append(out, es)
	}
	switch k {
	case "allOf":
		s.AllOf = append(s.AllOf, out...)
	case "anyOf":
		s.AnyOf = out
	default:
		s.OneOf = out
	}
	return nil
}

func (c *compiler) pattern(s *Schema, v any) error {
	p, ok := v.(string)
	if !ok {
		return fmt.Errorf("want a string, got %T", v)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return err
	}
	s.Pattern = re
	return nil
}

// bound reads the numeric keywords: minimum, maxLength, ...
func (c *compiler) bound(s *Schema, k string, v any) error {
	f, isNum := number(v)
	targets := map[string]**int64{
		"minLength": &s.MinLength, "maxLength": &s.MaxLength, "minItems": &s.MinItems, "maxItems": &s.MaxItems,
		"minProperties": &s.MinProperties, "maxProperties": &s.MaxProperties,
	}
	if p, ok := targets[k]; ok {
		if !isNum {
			return fmt.Errorf("want a number, got %T", v)
		}
		n := int64(f)
		*p = &n
		return nil
	}
	floats := map[string]**float64{"minimum": &s.Minimum, "maximum": &s.Maximum, "multipleOf": &s.MultipleOf}
	if p, ok := floats[k]; ok {
		if !isNum {
			return fmt.Errorf("want a number, got %T", v)
		}
		*p = &f
	}
	return nil
}

// stringList reads a list of strings.
func stringList(v any) ([]string, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list of strings, got %T", v)
	}
	out := make([]string, 0, len(items))
	for _, e := range items {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("want a list of strings, got a %T in it", e)
		}
		out = append(out, s)
	}
	return out, nil
}

// number returns v as a float64 if it is a JSON number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case float32:
		return float64(n), true
	}
	return 0, false
}
