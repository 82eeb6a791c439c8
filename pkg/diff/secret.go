package diff

import (
	"encoding/base64"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// secretFields hold a Secret's values: data base64-encoded, stringData plain.
var secretFields = []string{"data", "stringData"}

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
// nothing of what they hold.
func maskSecrets(before, after map[string]any) {
	for _, field := range secretFields {
		b, _ := before[field].(map[string]any)
		a, _ := after[field].(map[string]any)
		for k, bv := range b {
			av, inAfter := a[k]
			b[k] = masked(field, bv, false)
			if inAfter {
				a[k] = masked(field, av, !equalValue(bv, av))
			}
		}
		for k, av := range a {
			if _, inBefore := b[k]; !inBefore {
				a[k] = masked(field, av, false)
			}
		}
	}
}

func equalValue(x, y any) bool {
	xs, xok := x.(string)
	ys, yok := y.(string)
	return xok && yok && xs == ys || x == nil && y == nil
}

// masked is what a diff shows for a Secret value: "*** (N bytes)", with
// ", changed" when it differs from the other side's.
func masked(field string, v any, changed bool) string {
	s, _ := v.(string)
	n := len(s)
	if field == "data" {
		if raw, err := base64.StdEncoding.DecodeString(s); err == nil {
			n = len(raw)
		}
	}
	if changed {
		return fmt.Sprintf("*** (%d bytes, changed)", n)
	}
	return fmt.Sprintf("*** (%d bytes)", n)
}
