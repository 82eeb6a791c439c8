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
