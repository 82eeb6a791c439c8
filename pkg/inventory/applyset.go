package inventory

import (
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/kship/kship/pkg/apply"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The ApplySet labels and annotations (KEP-3659).
const (
	LabelID              = "applyset.kubernetes.io/id"
	LabelPartOf          = apply.LabelPartOf
	AnnotationTooling    = "applyset.kubernetes.io/tooling"
	AnnotationGKs        = "applyset.kubernetes.io/contains-group-kinds"
	AnnotationNamespaces = "applyset.kubernetes.io/additional-namespaces"
)

// Tooling is the value of the tooling annotation on kship's parents.
const Tooling = "kship/v1"

// ParentName is the name of an environment's ApplySet parent Secret.
func ParentName(env string) string { return "kship-" + env }

// ID is the ApplySet ID of a parent Secret, as kubectl computes it:
// "applyset-" + base64url(sha256("<name>.<namespace>.<kind>.<group>")) + "-v1".
func ID(name, namespace string) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{name, namespace, "Secret", ""}, ".")))
	return "applyset-" + base64.RawURLEncoding.EncodeToString(sum[:]) + "-v1"
}

// formatGKs renders group-kinds as the annotation wants: sorted "Kind.group".
func formatGKs(gks map[schema.GroupKind]bool) string {
	out := make([]string, 0, len(gks))
	for gk := range gks {
		out = append(out, gk.String())
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func parseGKs(s string) map[schema.GroupKind]bool {
	out := map[schema.GroupKind]bool{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out[schema.ParseGroupKind(part)] = true
		}
	}
	return out
}

func formatSet(set map[string]bool, except string) string {
	out := make([]string, 0, len(set))
	for s := range set {
		if s != except && s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func parseSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out[part] = true
		}
	}
	return out
}
