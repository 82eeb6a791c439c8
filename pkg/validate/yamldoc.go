package validate

import (
	"math"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"
)

// unmarshalDocument decodes one YAML document into m exactly as
// sigs.k8s.io/yaml (what kubectl uses) does, without its JSON round trip,
// which costs more than the parse on a large document. That library
// parses with the same YAML parser, then goes through JSON: numbers
// become float64 and keys strings. Where the round trip would do more (a
// key that is not a string, a string that is not valid UTF-8, an infinite
// or NaN number, a document that is not a map), the document takes the
// library's own path, so that the result and the error are its. (For an
// m that is nil before, as decodeManifests's are.)
func unmarshalDocument(doc []byte, m *map[string]any) error {
	var v any
	if err := yamlv2.Unmarshal(doc, &v); err != nil {
		return yaml.Unmarshal(doc, m)
	}
	if v == nil {
		*m = nil
		return nil
	}
	top, ok := v.(map[any]any)
	if !ok {
		return yaml.Unmarshal(doc, m)
	}
	out, ok := jsonable(top, 1)
	if !ok {
		return yaml.Unmarshal(doc, m)
	}
	*m = out.(map[string]any)
	return nil
}

// maxJSONDepth is encoding/json's nesting limit, which the round trip
// meets: a document nested deeper is refused there.
const maxJSONDepth = 10000

// jsonable converts v, at nesting depth, as a JSON round trip would,
// reporting false where it cannot tell that it would do the same.
func jsonable(v any, depth int) (any, bool) {
	if depth >= maxJSONDepth-10 {
		return nil, false // close to the limit: let the library judge
	}
	switch v := v.(type) {
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			ks, ok := k.(string)
			if !ok || !utf8.ValidString(ks) {
				return nil, false
			}
			c, ok := jsonable(e, depth+1)
			if !ok {
				return nil, false
			}
			out[ks] = c
		}
		return out, true
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			c, ok := jsonable(e, depth+1)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	case string:
		return v, utf8.ValidString(v)
	case bool, nil:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, !math.IsInf(v, 0) && !math.IsNaN(v)
	}
	return nil, false
}
