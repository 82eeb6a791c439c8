package deploy

import (
	"testing"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestNoOpsNotSentUnlessAdmissionChanges: what a dry run found a no-op is
// not sent again, unless the deploy changes what admits objects: a CRD, a
// webhook or policy, a policy engine's policy, or a Namespace's labels.
func TestNoOpsNotSentUnlessAdmissionChanges(t *testing.T) {
	live := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "settings", "resourceVersion": "7"}}}
	noop := apply.Result{Ref: object.RefOf(live), Action: apply.Unchanged, Before: live, Object: live}
	for _, tc := range []struct {
		name    string
		changed object.Ref
		want    int
	}{
		{"a Deployment changes", object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}, 1},
		{"a CRD changes", object.Ref{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: "gadgets.example.com"}, 0},
		{"a Namespace's labels change", object.Ref{Kind: "Namespace", Name: "shop"}, 0},
		{"a webhook changes", object.Ref{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration", Name: "policy"}, 0},
		{"a Kyverno policy changes", object.Ref{Group: "kyverno.io", Kind: "ClusterPolicy", Name: "require-labels"}, 0},
		{"a Gatekeeper constraint changes", object.Ref{Group: "constraints.gatekeeper.sh", Kind: "K8sRequiredLabels", Name: "owner"}, 0},
	} {
		n := &noops{objects: map[object.Ref]*unstructured.Unstructured{}}
		n.learn(noop)
		n.learn(apply.Result{Ref: tc.changed, Action: apply.Configured, Object: live, Before: live})
		if got := len(n.unsent()); got != tc.want {
			t.Errorf("%s: %d objects not sent again, want %d", tc.name, got, tc.want)
		}
	}
}
