package openapi

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Options tune a Validate call.
type Options struct {
	// QuoteValues lets error details quote the offending value. Leave it
	// off for Secrets: their values must never reach a message.
	QuoteValues bool
	// Hook, if set, is called for every value whose schema is a named
	// component (Schema.Name), before the value is checked; validate uses
	// it for ObjectMeta and LabelSelector syntax.
	Hook func(p Path, s *Schema, v any)
}

// Validate checks v against s and returns what is wrong, in no particular
// order. root is v's path in its object. Null counts as absent, as the API
// server decodes it for built-in types and prunes it for CRDs.
func Validate(v any, s *Schema, root Path, opts Options) []Error {
	w := &walker{opts: opts, path: slices.Clone(root)}
	w.value(v, s)
	return w.errs
}

type walker struct {
	opts Options
	path Path
	errs []Error
	// junction > 0 inside allOf/anyOf/oneOf/not of a structural schema,
	// where properties constrain values but do not declare fields.
	junction int
}

func (w *walker) fail(r Reason, format string, a ...any) {
	w.errs = append(w.errs, Error{Reason: r, Path: w.path.String(), Detail: fmt.Sprintf(format, a...)})
}

func (w *walker) push(s Seg) { w.path = append(w.path, s) }
func (w *walker) pop()       { w.path = w.path[:len(w.path)-1] }

// quote renders v for a message, or nothing when values must not be shown.
func (w *walker) quote(v any) string {
	if !w.opts.QuoteValues {
		return ""
	}
	switch t := v.(type) {
	case string:
		if len(t) > 64 {
			t = t[:61] + "..."
		}
		return fmt.Sprintf(" %q", t)
	case float64:
		n := strconv.FormatFloat(t, 'f', -1, 64)
		if len(n) > 24 {
			n = strconv.FormatFloat(t, 'g', -1, 64)
		}
		return " " + n
	case map[string]any, []any:
		return ""
	}
	return fmt.Sprintf(" %v", v)
}

func (w *walker) value(v any, s *Schema) {
	if v == nil || s == nil {
		return
	}
	if s.Name != "" && w.opts.Hook != nil {
		w.opts.Hook(slices.Clone(w.path), s, v)
	}
	switch {
	case s.Quantity:
		w.quantity(v)
		return
	case s.IntOrString:
		w.intOrString(v, s)
		return
	}
	if s.Types != 0 && typeOf(v)&s.Types == 0 {
		w.fail(WrongType, "want %s, got %s%s", s.Types, describe(v), w.quote(v))
		return
	}
	if len(s.Enum) > 0 {
		w.enum(v, s)
	}
	switch t := v.(type) {
	case map[string]any:
		w.object(t, s)
	case []any:
		w.array(t, s)
	case string:
		w.str(t, s)
	case bool:
	default:
		w.num(v, s)
	}
	w.junctions(v, s)
}

func (w *walker) object(m map[string]any, s *Schema) {
	for _, r := range s.Required {
		if m[r] == nil {
			w.push(Seg{Key: r})
			w.fail(Required, "required field is missing")
			w.pop()
		}
	}
	if s.MinProperties != nil && int64(len(m)) < *s.MinProperties {
		w.fail(Constraint, "has %d fields, want at least %d", len(m), *s.MinProperties)
	}
	if s.MaxProperties != nil && int64(len(m)) > *s.MaxProperties {
		w.fail(Constraint, "has %d fields, want at most %d", len(m), *s.MaxProperties)
	}
	closed := w.junction == 0 && !s.PreserveUnknown && !s.AdditionalAny && s.Additional == nil &&
		(s.Structural || len(s.Properties) > 0)
	for k, fv := range m {
		w.push(Seg{Key: k})
		if ps, ok := s.Properties[k]; ok {
			w.value(fv, ps)
		} else if s.Additional != nil {
			w.value(fv, s.Additional)
		} else if closed && !(s.Embedded && implied[k]) {
			w.unknown(k, s)
		}
		w.pop()
	}
}

// implied are the fields an embedded resource has without declaring them.
var implied = map[string]bool{"apiVersion": true, "kind": true, "metadata": true}

func (w *walker) unknown(k string, s *Schema) {
	if hint := suggest(k, s.Properties); hint != "" {
		w.fail(UnknownField, "unknown field %q (did you mean %q?)", k, hint)
		return
	}
	if len(s.Properties) == 0 {
		w.fail(UnknownField, "unknown field %q: this object allows no fields", k)
		return
	}
	names := slices.Sorted(maps.Keys(s.Properties))
	if len(names) > 12 {
		w.fail(UnknownField, "unknown field %q", k)
		return
	}
	w.fail(UnknownField, "unknown field %q: want one of %s", k, strings.Join(names, ", "))
}

func (w *walker) array(a []any, s *Schema) {
	if s.MinItems != nil && int64(len(a)) < *s.MinItems {
		w.fail(Constraint, "has %d items, want at least %d", len(a), *s.MinItems)
	}
	if s.MaxItems != nil && int64(len(a)) > *s.MaxItems {
		w.fail(Constraint, "has %d items, want at most %d", len(a), *s.MaxItems)
	}
	for i, e := range a {
		w.push(Seg{Index: i})
		w.value(e, s.Items)
		w.pop()
	}
	if s.Structural {
		w.duplicates(a, s)
	}
}

// duplicates enforces uniqueItems and x-kubernetes-list-type set/map, which
// the API server checks for CRDs.
func (w *walker) duplicates(a []any, s *Schema) {
	if !s.UniqueItems && s.ListType != "set" && s.ListType != "map" {
		return
	}
	seen := map[string]int{}
	for i, e := range a {
		key := fmt.Sprintf("%#v", e)
		if s.ListType == "map" {
			key = mapKey(e, s.ListMapKeys)
		}
		if j, dup := seen[key]; dup {
			w.push(Seg{Index: i})
			w.fail(Constraint, "duplicate of item [%d]", j)
			w.pop()
			continue
		}
		seen[key] = i
	}
}

func mapKey(e any, keys []string) string {
	m, _ := e.(map[string]any)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%#v", m[k])
	}
	return strings.Join(parts, "\x00")
}

func (w *walker) str(v string, s *Schema) {
	w.format(v, s)
	if s.Pattern != nil && !s.Pattern.MatchString(v) {
		w.fail(Constraint, "value%s does not match %s", w.quote(v), s.Pattern)
	}
	n := int64(len([]rune(v)))
	if s.MinLength != nil && n < *s.MinLength {
		w.fail(Constraint, "is %d characters long, want at least %d", n, *s.MinLength)
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		w.fail(Constraint, "is %d characters long, want at most %d", n, *s.MaxLength)
	}
}

func (w *walker) num(v any, s *Schema) {
	f, _ := number(v)
	if s.Format == "int32" && (f < math.MinInt32 || f > math.MaxInt32) {
		w.fail(BadFormat, "value%s is out of range for int32", w.quote(v))
	}
	if s.Minimum != nil && (f < *s.Minimum || s.ExclusiveMinimum && f == *s.Minimum) {
		w.fail(Constraint, "value%s is below the minimum %v", w.quote(v), *s.Minimum)
	}
	if s.Maximum != nil && (f > *s.Maximum || s.ExclusiveMaximum && f == *s.Maximum) {
		w.fail(Constraint, "value%s is above the maximum %v", w.quote(v), *s.Maximum)
	}
	if s.MultipleOf != nil && *s.MultipleOf != 0 && math.Mod(f, *s.MultipleOf) != 0 {
		w.fail(Constraint, "value%s is not a multiple of %v", w.quote(v), *s.MultipleOf)
	}
}

func (w *walker) enum(v any, s *Schema) {
	if str, ok := v.(string); ok && str == "" && !s.Structural {
		return // built-in types default an empty enum field
	}
	for _, e := range s.Enum {
		if e == v {
			return
		}
		if a, ok := number(e); ok {
			if b, ok := number(v); ok && a == b {
				return
			}
		}
	}
	allowed := make([]string, len(s.Enum))
	for i, e := range s.Enum {
		allowed[i] = fmt.Sprintf("%q", fmt.Sprint(e))
	}
	w.fail(NotInEnum, "unsupported value%s: want one of %s", w.quote(v), strings.Join(allowed, ", "))
}
