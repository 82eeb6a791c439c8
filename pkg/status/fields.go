package status

import (
	"encoding/json"
	"math"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// intField reads an integer at path. It accepts every numeric type that
// decoding JSON or YAML into an Unstructured can produce. found is false when
// the field is absent or not a number; the value is then def.
func intField(u *unstructured.Unstructured, def int64, path ...string) (v int64, found bool) {
	raw, ok, err := unstructured.NestedFieldNoCopy(u.Object, path...)
	if !ok || err != nil {
		return def, false
	}
	switch n := raw.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		if n != math.Trunc(n) {
			return def, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return def, false
		}
		return i, true
	}
	return def, false
}

// intOr reads an integer at path, def when absent.
func intOr(u *unstructured.Unstructured, def int64, path ...string) int64 {
	v, _ := intField(u, def, path...)
	return v
}

// stringField reads a string at path, "" when absent.
func stringField(u *unstructured.Unstructured, path ...string) string {
	s, _, _ := unstructured.NestedString(u.Object, path...)
	return s
}

// boolField reads a bool at path, false when absent.
func boolField(u *unstructured.Unstructured, path ...string) bool {
	b, _, _ := unstructured.NestedBool(u.Object, path...)
	return b
}

// condition is one entry of status.conditions.
type condition struct {
	Type, Status, Reason, Message string
	// ObservedGeneration is the condition's own observedGeneration
	// (metav1.Condition), 0 when absent.
	ObservedGeneration int64
}

// conditions reads status.conditions, skipping malformed entries.
func conditions(u *unstructured.Unstructured) []condition {
	raw, ok, err := unstructured.NestedFieldNoCopy(u.Object, "status", "conditions")
	if !ok || err != nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil
	}
	var out []condition
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		c := condition{}
		c.Type, _ = m["type"].(string)
		c.Status, _ = m["status"].(string)
		c.Reason, _ = m["reason"].(string)
		c.Message, _ = m["message"].(string)
		c.ObservedGeneration, _ = intField(&unstructured.Unstructured{Object: m}, 0, "observedGeneration")
		if c.Type == "" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// findCondition returns the condition of type typ, nil when absent.
func findCondition(conds []condition, typ string) *condition {
	for i := range conds {
		if conds[i].Type == typ {
			return &conds[i]
		}
	}
	return nil
}

// isTrue reports whether the condition of type typ has status True.
func isTrue(conds []condition, typ string) bool {
	c := findCondition(conds, typ)
	return c != nil && c.Status == "True"
}

// explain formats a condition's reason and message as "reason: message",
// leaving out whichever is empty.
func explain(c *condition) string {
	parts := make([]string, 0, 2)
	if c.Reason != "" {
		parts = append(parts, c.Reason)
	}
	if m := oneLine(c.Message); m != "" {
		parts = append(parts, m)
	}
	return strings.Join(parts, ": ")
}

// oneLine folds all runs of white space, newlines included, into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// generationObserved reports whether status.observedGeneration has caught up
// with metadata.generation, as kubectl checks it: a missing
// observedGeneration counts as 0, so it is observed only if generation is
// also missing.
func generationObserved(u *unstructured.Unstructured) bool {
	return generation(u) <= intOr(u, 0, "status", "observedGeneration")
}

// generation reads metadata.generation, accepting any numeric type (unlike
// Unstructured.GetGeneration, which wants an int64).
func generation(u *unstructured.Unstructured) int64 {
	return intOr(u, 0, "metadata", "generation")
}
