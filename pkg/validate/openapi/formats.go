package openapi

import (
	"encoding/base64"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// typeOf returns the JSON types v has: a whole number is both an integer
// and a number.
func typeOf(v any) Type {
	switch t := v.(type) {
	case map[string]any:
		return TypeObject
	case []any:
		return TypeArray
	case string:
		return TypeString
	case bool:
		return TypeBoolean
	case float64:
		if t == math.Trunc(t) && !math.IsInf(t, 0) {
			return TypeInteger | TypeNumber
		}
		return TypeNumber
	case float32:
		return typeOf(float64(t))
	case int, int64, int32:
		return TypeInteger | TypeNumber
	}
	return 0
}

// describe names v's type for a message.
func describe(v any) string {
	switch t := typeOf(v); {
	case t&TypeInteger != 0:
		return "integer"
	case t == 0:
		return "unsupported value"
	default:
		return t.String()
	}
}

// quantity accepts what resource.Quantity's JSON decoding accepts: a number,
// or a string in its syntax.
func (w *walker) quantity(v any) {
	switch t := v.(type) {
	case string:
		if _, err := resource.ParseQuantity(t); err != nil {
			w.fail(BadQuantity, "value%s is not a quantity (e.g. 250m, 1.5, 512Mi, 2Gi)", w.quote(v))
		}
	default:
		if typeOf(v)&TypeNumber == 0 {
			w.fail(WrongType, "want a quantity (string or number), got %s", describe(v))
		}
	}
}

// intOrString accepts a whole number or a string.
func (w *walker) intOrString(v any, s *Schema) {
	t := typeOf(v)
	switch {
	case t&TypeString != 0:
		w.str(v.(string), &Schema{Pattern: s.Pattern, MinLength: s.MinLength, MaxLength: s.MaxLength})
	case t&TypeInteger != 0:
		w.num(v, &Schema{Format: "int32", Minimum: s.Minimum, Maximum: s.Maximum})
	case t&TypeNumber != 0:
		w.fail(BadFormat, "want an integer or a string, got a fraction%s", w.quote(v))
	default:
		w.fail(WrongType, "want integer or string, got %s", describe(v))
	}
}

// format checks a string against its schema's format, for the formats the
// API server itself decodes.
func (w *walker) format(v string, s *Schema) {
	switch s.Format {
	case "byte":
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			w.fail(BadFormat, "not valid base64")
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			w.fail(BadFormat, "value%s is not an RFC 3339 date-time (e.g. 2006-01-02T15:04:05Z)", w.quote(v))
		}
	}
}

// junctions applies allOf, anyOf, oneOf and not. In a structural (CRD)
// schema their properties only constrain values; fields are declared by
// the schema itself.
func (w *walker) junctions(v any, s *Schema) {
	if len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) == 0 && s.Not == nil {
		return
	}
	if s.Structural {
		w.junction++
		defer func() { w.junction-- }()
	}
	for _, sub := range s.AllOf {
		w.value(v, sub)
	}
	if len(s.AnyOf) > 0 && w.passing(v, s.AnyOf) == 0 {
		w.fail(Constraint, "matches none of the allowed forms (anyOf)")
	}
	if len(s.OneOf) > 0 {
		if n := w.passing(v, s.OneOf); n != 1 {
			w.fail(Constraint, "matches %d of the allowed forms, want exactly one (oneOf)", n)
		}
	}
	if s.Not != nil && w.passing(v, []*Schema{s.Not}) == 1 {
		w.fail(Constraint, "matches a form that is not allowed (not)")
	}
}

// passing counts the schemas v satisfies, without reporting.
func (w *walker) passing(v any, schemas []*Schema) int {
	n := 0
	for _, sub := range schemas {
		probe := &walker{opts: Options{}, path: w.path, junction: w.junction}
		probe.value(v, sub)
		if len(probe.errs) == 0 {
			n++
		}
	}
	return n
}
