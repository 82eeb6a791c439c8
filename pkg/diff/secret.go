package diff

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// secretFields hold a Secret's values: data base64-encoded, stringData plain.
var secretFields = []string{"data", "stringData"}

// configMapFields hold a ConfigMap's values: data plain, binaryData
// base64-encoded.
var configMapFields = []string{"data", "binaryData"}

// notCompared is what a diff shows for a value the build could not read.
const notCompared = "*** (encrypted, not compared)"

func isSecret(u *unstructured.Unstructured) bool {
	if u == nil {
		return false
	}
	gvk := u.GroupVersionKind()
	return gvk.Group == "" && gvk.Kind == "Secret"
}

// maskSecrets replaces every value of data and stringData on both sides (in
// place; either may be nil) by its size, marking the new side's value when it
// differs from the old one, so that the diff shows which keys changed and
// nothing of what they hold. A data or stringData that is not a map (a
// broken tree's) is masked whole. A value that holds unknown (when not
// empty), as it is or base64-encoded, is shown as not compared, on both
// sides.
func maskSecrets(before, after map[string]any, fields []string, unknown string) {
	for _, field := range fields {
		bv, inBefore := before[field]
		av, inAfter := after[field]
		b, bMap := bv.(map[string]any)
		a, aMap := av.(map[string]any)
		if inBefore && !bMap || inAfter && !aMap {
			if inBefore {
				before[field] = masked(field, bv, false)
			}
			if inAfter {
				after[field] = masked(field, av, inBefore && !reflect.DeepEqual(bv, av))
			}
			continue
		}
		for k, bv := range b {
			av, inAfter := a[k]
			if inAfter && (unread(bv, unknown) || unread(av, unknown)) {
				b[k], a[k] = notCompared, notCompared
				continue
			}
			b[k] = masked(field, bv, false)
			if inAfter {
				a[k] = masked(field, av, !reflect.DeepEqual(bv, av))
			}
		}
		for k, av := range a {
			if _, inBefore := b[k]; !inBefore && unread(av, unknown) {
				a[k] = notCompared
			} else if !inBefore {
				a[k] = masked(field, av, false)
			}
		}
	}
}

// unread reports whether v holds unknown, the stand-in for a value the
// build could not decrypt: as it is (stringData, a ConfigMap's data, a
// generator file with other text around it) or base64-encoded (a Secret's
// data, as the server stores stringData and a generator writes files).
func unread(v any, unknown string) bool {
	s, ok := v.(string)
	if !ok || unknown == "" {
		return false
	}
	if strings.Contains(s, unknown) {
		return true
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	return err == nil && bytes.Contains(raw, []byte(unknown))
}

// holdsUnread reports whether a ConfigMap's or Secret's values hold
// unknown.
func holdsUnread(u *unstructured.Unstructured, unknown string) bool {
	if u == nil || unknown == "" {
		return false
	}
	for _, field := range []string{"data", "binaryData", "stringData"} {
		m, _, _ := unstructured.NestedMap(u.Object, field)
		for _, v := range m {
			if unread(v, unknown) {
				return true
			}
		}
	}
	return false
}

// masked is what a diff shows for a Secret value: "*** (N bytes)", with
// ", changed" when it differs from the other side's; a value that is not a
// string shows as "***".
func masked(field string, v any, changed bool) string {
	suffix := ""
	if changed {
		suffix = ", changed"
	}
	s, ok := v.(string)
	if !ok {
		return "*** (not a string" + suffix + ")"
	}
	n := len(s)
	if field == "data" || field == "binaryData" {
		if raw, err := base64.StdEncoding.DecodeString(s); err == nil {
			n = len(raw)
		}
	}
	return fmt.Sprintf("*** (%d bytes%s)", n, suffix)
}

// minRedactLen is the shortest value redactTree replaces: shorter ones
// ("1", "true") would blank unrelated text and reveal nothing.
const minRedactLen = 4

// redactTree replaces, in every string within v, each of values (of
// minRedactLen or more; the longest first, so that a value that holds
// another is not shown in part). Given the other side's strings before, a
// value none of them holds is marked changed, so that a change of a
// decrypted value still shows as one.
func redactTree(v any, values []string, before []string) {
	values = slices.Clone(values)
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	changed := func(val string) bool {
		if before == nil {
			return false
		}
		for _, s := range before {
			if strings.Contains(s, val) {
				return false
			}
		}
		return true
	}
	replaceStrings(v, func(s string) string {
		for _, val := range values {
			if len(val) < minRedactLen || !strings.Contains(s, val) {
				continue
			}
			mark := "*** (decrypted value)"
			if changed(val) {
				mark = "*** (decrypted value, changed)"
			}
			s = strings.ReplaceAll(s, val, mark)
		}
		return s
	})
}

// replaceStrings puts f(s) in place of every string s within v (maps and
// lists; map keys are left alone), and of every number or boolean, as its
// text, where f changes that text: a decrypted value may be one.
func replaceStrings(v any, f func(string) string) {
	leaf := func(e any) (any, bool) {
		switch e := e.(type) {
		case string:
			return f(e), true
		case int64, int, float64, bool:
			text := fmt.Sprint(e)
			if n, ok := e.(float64); ok {
				text = strconv.FormatFloat(n, 'f', -1, 64) // as written: 123456789012
			}
			if r := f(text); r != text {
				return r, true
			}
			return e, true
		}
		return nil, false
	}
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if r, ok := leaf(e); ok {
				v[k] = r
				continue
			}
			replaceStrings(e, f)
		}
	case []any:
		for i, e := range v {
			if r, ok := leaf(e); ok {
				v[i] = r
				continue
			}
			replaceStrings(e, f)
		}
	}
}

// collectStrings appends every string within v to out, and every number
// or boolean as its text.
func collectStrings(v any, out *[]string) {
	replaceStrings(v, func(s string) string {
		*out = append(*out, s)
		return s
	})
}
