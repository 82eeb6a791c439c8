package secrets

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Holds reports whether u is a ConfigMap that holds a value Decode
// decrypted or masked: one generated from an encrypted file or env file,
// or an encrypted ConfigMap manifest. Such a ConfigMap is as secret as a
// Secret, and its data is to be masked wherever Secret data is.
func (d *Decryptor) Holds(u *unstructured.Unstructured) bool {
	if d == nil || u == nil || u.GetKind() != "ConfigMap" || u.GroupVersionKind().Group != "" {
		return false
	}
	data, _, _ := unstructured.NestedMap(u.Object, "data")
	for _, v := range data {
		if s, ok := v.(string); ok && d.holds(s) {
			return true
		}
	}
	bin, _, _ := unstructured.NestedMap(u.Object, "binaryData")
	for _, v := range bin {
		s, _ := v.(string)
		if raw, err := base64.StdEncoding.DecodeString(s); err == nil && d.holds(string(raw)) {
			return true
		}
	}
	return false
}

// Quotes reports whether u may be quoted in an error with a decrypted
// value: u is a ConfigMap that Holds one, or any string of u, in any kind
// and field, holds one (a replacements target's env, a DSN built around a
// password) as Quoted finds it.
func (d *Decryptor) Quotes(u *unstructured.Unstructured) bool {
	if d == nil || u == nil {
		return false
	}
	if d.Holds(u) {
		return true
	}
	forms := d.forms()
	return anyString(u.Object, func(s string) bool { return quoted(s, forms) })
}

// MinQuotedLen is the shortest decrypted value that Quoted and Quotable look
// for inside a longer text: shorter ones ("v1", "80", "yes") are found
// everywhere, so looking for them would withhold and blank unrelated text
// while hiding little of a secret.
const MinQuotedLen = 4

// Quoted reports whether text holds the placeholder or a value Decode
// decrypted of MinQuotedLen bytes or more: as it is, base64-encoded (as
// the API server shows data), or escaped in a quoted string (as its
// field errors show values).
func (d *Decryptor) Quoted(text string) bool {
	if d == nil {
		return false
	}
	return quoted(text, d.forms())
}

// Quotable returns the decrypted values that Quoted looks for as they are,
// for a caller that replaces them in a text of its own. The caller must not
// show them.
func (d *Decryptor) Quotable() []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, v := range d.Values() {
		if len(v) >= MinQuotedLen {
			out = append(out, v)
		}
	}
	return out
}

// forms are the spellings of the quotable values that Quoted looks for.
func (d *Decryptor) forms() []string {
	forms := []string{Placeholder}
	for _, v := range d.Quotable() {
		forms = append(forms, v, base64.StdEncoding.EncodeToString([]byte(v)))
		if q := strconv.Quote(v); q[1:len(q)-1] != v {
			forms = append(forms, q[1:len(q)-1])
		}
		if j, err := json.Marshal(v); err == nil && string(j[1:len(j)-1]) != v {
			forms = append(forms, string(j[1:len(j)-1]))
		}
	}
	return forms
}

func quoted(text string, forms []string) bool {
	for _, f := range forms {
		if strings.Contains(text, f) {
			return true
		}
	}
	return false
}

// anyString reports whether found holds for any string within v.
func anyString(v any, found func(string) bool) bool {
	switch v := v.(type) {
	case string:
		return found(v)
	case map[string]any:
		for _, e := range v {
			if anyString(e, found) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if anyString(e, found) {
				return true
			}
		}
	}
	return false
}
