package secrets

import (
	"encoding/base64"

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

// Quotes reports whether any string of u, in any kind and field, holds a
// value Decode decrypted or masked (a replacements target's env, say), or
// u is a ConfigMap that Holds one: an error about u may quote it.
func (d *Decryptor) Quotes(u *unstructured.Unstructured) bool {
	if d == nil || u == nil {
		return false
	}
	return d.Holds(u) || d.quotes(u.Object)
}

func (d *Decryptor) quotes(v any) bool {
	switch v := v.(type) {
	case string:
		return d.holds(v)
	case map[string]any:
		for _, e := range v {
			if d.quotes(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if d.quotes(e) {
				return true
			}
		}
	}
	return false
}
