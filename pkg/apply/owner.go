package apply

import (
	"context"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// labelID is the ApplySet label of a set's parent (KEP-3659).
const labelID = "applyset.kubernetes.io/id"

var secretsGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

// parentOf names the parent of the ApplySet id, looked for among the
// Secrets of namespace ns (where kship keeps an environment's parent when
// environments share a namespace): "environment ENV (Secret NS/kship-ENV)",
// or "" when it cannot be found or read.
func (a *Applier) parentOf(ctx context.Context, ns, id string) string {
	key := ns + "/" + id
	a.mu.Lock()
	name, ok := a.parents[key]
	a.mu.Unlock()
	if ok {
		return name
	}
	if ns != "" {
		list, err := a.client.Metadata.Resource(secretsGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: labelID + "=" + id})
		if err == nil && len(list.Items) == 1 {
			p := list.Items[0]
			name = "Secret " + ns + "/" + p.Name
			if env, ok := strings.CutPrefix(p.Name, "kship-"); ok {
				name = "environment " + env + " (" + name + ")"
			}
		}
	}
	a.mu.Lock()
	if a.parents == nil {
		a.parents = map[string]string{}
	}
	a.parents[key] = name
	a.mu.Unlock()
	return name
}
