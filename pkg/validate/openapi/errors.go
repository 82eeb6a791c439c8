package openapi

import (
	"regexp"
	"strconv"
	"strings"
)

// Reason classifies an Error.
type Reason string

// The reasons a value fails its schema.
const (
	// UnknownField is a field the schema does not declare; the API server
	// rejects it under fieldValidation=Strict (and prunes it otherwise).
	UnknownField Reason = "unknown-field"
	// WrongType is a value of a type the schema does not allow.
	WrongType Reason = "type"
	// Required is a missing required field.
	Required Reason = "required"
	// NotInEnum is a value outside the schema's enum.
	NotInEnum Reason = "enum"
	// BadFormat is a value that breaks its format: int-or-string, base64
	// bytes, a date-time, an int32 out of range.
	BadFormat Reason = "format"
	// BadQuantity is a string that does not parse as a resource.Quantity.
	BadQuantity Reason = "quantity"
	// Constraint is any other schema constraint (pattern, bounds, lengths,
	// unique items, anyOf/oneOf/not), as CRD schemas use them.
	Constraint Reason = "constraint"
)

// Error is one way a value fails its schema. Detail never quotes a value
// unless the walk was asked to (Options.QuoteValues).
type Error struct {
	Reason Reason
	Path   string
	Detail string
}

// Seg is one step of a Path: a field name or, when Key is "", a list index.
type Seg struct {
	Key   string
	Index int
}

// Path locates a value in an object.
type Path []Seg

// Field returns p extended by a field name, without sharing p's storage.
func (p Path) Field(k string) Path {
	return append(p[:len(p):len(p)], Seg{Key: k})
}

// Index returns p extended by a list index, without sharing p's storage.
func (p Path) Index(i int) Path {
	return append(p[:len(p):len(p)], Seg{Index: i})
}

var plainKey = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_-]*$`)

// String renders p as kubectl explain does, with keys that are not plain
// names in brackets: spec.template.spec.containers[0].image,
// metadata.labels[app.kubernetes.io/name].
func (p Path) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.Key == "":
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
		case plainKey.MatchString(s.Key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		default:
			b.WriteString("[" + s.Key + "]")
		}
	}
	return b.String()
}

// suggest returns the property closest to name, if it is a likely typo.
func suggest(name string, known map[string]*Schema) string {
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	return Suggest(name, names)
}

// Suggest returns the candidate that name most likely misspells: one that
// differs only in case, else the nearest within a third of name's length
// (the alphabetically first on a tie), else "".
func Suggest(name string, candidates []string) string {
	best, bestDist := "", len(name)/3+1
	for _, k := range candidates {
		if strings.EqualFold(k, name) {
			return k
		}
		if d := distance(name, k); d < bestDist || d == bestDist && best != "" && k < best {
			best, bestDist = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
