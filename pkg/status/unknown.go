package status

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// builtinGroups are the API groups Kubernetes itself serves. Kinds of any
// other group are custom resources (or aggregated APIs).
var builtinGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "autoscaling": true, "policy": true, "extensions": true,
	"networking.k8s.io": true, "rbac.authorization.k8s.io": true, "storage.k8s.io": true,
	"scheduling.k8s.io": true, "coordination.k8s.io": true, "discovery.k8s.io": true,
	"events.k8s.io": true, "node.k8s.io": true, "admissionregistration.k8s.io": true,
	"apiextensions.k8s.io": true, "apiregistration.k8s.io": true, "certificates.k8s.io": true,
	"flowcontrol.apiserver.k8s.io": true, "resource.k8s.io": true, "internal.apiserver.k8s.io": true,
	"storagemigration.k8s.io": true, "authentication.k8s.io": true, "authorization.k8s.io": true,
}

func custom(group string) bool { return !builtinGroups[group] }

// BuiltIn reports whether group is one of the API groups Kubernetes itself
// serves: their objects' status comes from Kubernetes' own controllers.
func BuiltIn(group string) bool { return builtinGroups[group] }

// lifecycleFields are status fields whose value says where an object is in
// its life; their values are shown, other fields only by name (a status may
// hold anything, and messages end up in CI logs).
var lifecycleFields = map[string]bool{"phase": true, "state": true}

// maxShown bounds how many fields and conditions a message lists.
const maxShown = 5

// statusFields describes the non-empty fields of u's status, e.g.
// `conditions Linked=True, phase "Provisioning", endpoint`; "" when there
// are none.
func statusFields(u *unstructured.Unstructured) string {
	st, ok, _ := unstructured.NestedMap(u.Object, "status")
	if !ok {
		return ""
	}
	var conds, first, rest []string
	if cs := conditions(u); len(cs) > 0 {
		conds = append(conds, "conditions "+listConditions(cs))
	}
	for k, v := range st {
		switch {
		case k == "conditions" || empty(v):
		case lifecycleFields[k]:
			first = append(first, fmt.Sprintf("%s %s", k, shortValue(v)))
		default:
			rest = append(rest, k)
		}
	}
	sort.Strings(first)
	sort.Strings(rest)
	all := append(append(conds, first...), rest...)
	if len(all) > maxShown {
		all = append(all[:maxShown], "...")
	}
	return strings.Join(all, ", ")
}

func listConditions(cs []condition) string {
	parts := make([]string, 0, len(cs))
	for i, c := range cs {
		if i == maxShown {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, c.Type+"="+c.Status)
	}
	return strings.Join(parts, ", ")
}

// empty reports whether a status field holds nothing: a controller, or a
// CRD's defaults, may write empty fields before anything happened.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// shortValue quotes a lifecycle field's value, cut to a readable length.
func shortValue(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprint(v)
	}
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return fmt.Sprintf("%q", s)
}
