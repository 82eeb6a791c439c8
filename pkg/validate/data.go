package validate

import (
	"encoding/base64"
	"sort"
	"strings"

	"github.com/kship/kship/pkg/validate/openapi"
	"k8s.io/apimachinery/pkg/util/validation"
)

// maxDataBytes is the most data a ConfigMap or a Secret may hold in all
// (the API server's MaxSecretSize, 1 MiB): the values' bytes, a Secret's
// decoded, keys not counted.
const maxDataBytes = 1 << 20

// checkData checks a core/v1 ConfigMap's data and binaryData, or a
// Secret's data and stringData, as the API server does: every key a valid
// key name, no key in both of a ConfigMap's maps, and at most maxDataBytes
// of values in all. Values are measured, never quoted.
func (c *checker) checkData(f *findings, o *manifest) {
	if o.group != "" || o.apiVersion != "v1" {
		return
	}
	var fields []string
	encoded := map[string]bool{} // fields whose values are base64
	switch o.ref.Kind {
	case "ConfigMap":
		fields, encoded["binaryData"] = []string{"data", "binaryData"}, true
	case "Secret":
		fields, encoded["data"] = []string{"data", "stringData"}, true
	default:
		return
	}
	size := map[string]int{} // by key: the API server merges stringData into data
	for _, field := range fields {
		m := getMap(o.m, field)
		for _, k := range sortedKeys(m) {
			p := openapi.Path{}.Field(field).Field(k).String()
			if k == "" {
				p = field + `[""]`
			}
			if errs := validation.IsConfigMapKey(k); len(errs) > 0 {
				f.add(o, p, RuleDataKey, "key %q is not a valid key name: %s", k, strings.Join(errs, "; "))
			}
			if _, dup := size[k]; dup && o.ref.Kind == "ConfigMap" {
				f.add(o, p, RuleDataKey, "key %q is in both data and binaryData: keep one", k)
			}
			size[k] = valueSize(m[k], encoded[field])
		}
	}
	total := 0
	for _, n := range size {
		total += n
	}
	if total > maxDataBytes {
		f.add(o, fields[0], RuleDataSize, "%s holds %s of data in all, more than the %s the API server allows: move the bulk into a volume or an image, or split the %s", o.ref.Kind, humanSize(total), humanSize(maxDataBytes), o.ref.Kind)
	}
}

// valueSize is the bytes a value holds, decoded when it is base64 (one
// that does not decode, which schema/format reports, by its decoded length).
func valueSize(v any, encoded bool) int {
	s, _ := v.(string)
	if !encoded {
		return len(s)
	}
	if raw, err := base64.StdEncoding.DecodeString(s); err == nil {
		return len(raw)
	}
	return base64.StdEncoding.DecodedLen(len(s))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
