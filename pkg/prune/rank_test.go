package prune

import (
	"testing"

	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/object"
)

// Prune deletes in the reverse of the deploy's phases, so that nothing is
// deleted while something still uses it: a Service after its Deployment,
// like the ConfigMap, and the namespace last.
func TestRankReversesThePhases(t *testing.T) {
	m := func(group, kind string, annotations map[string]string) inventory.Member {
		return inventory.Member{Ref: object.Ref{Group: group, Kind: kind, Name: "x"}, Annotations: annotations}
	}
	order := []inventory.Member{
		m("apps", "Deployment", nil),
		m("batch", "Job", map[string]string{deploy.PhaseAnnotation: deploy.PreDeploy}),
		m("", "Service", nil),
		m("", "Namespace", nil),
	}
	for i := 1; i < len(order); i++ {
		if rank(order[i-1]) >= rank(order[i]) {
			t.Errorf("%s (rank %d) is not deleted before %s (rank %d)", order[i-1].Ref.Kind, rank(order[i-1]), order[i].Ref.Kind, rank(order[i]))
		}
	}
	for _, same := range []inventory.Member{m("", "ConfigMap", nil), m("", "Secret", nil), m("rbac.authorization.k8s.io", "Role", nil), m("", "PersistentVolumeClaim", nil)} {
		if rank(same) != rank(order[2]) {
			t.Errorf("%s is not deleted with the Service: rank %d, want %d", same.Ref.Kind, rank(same), rank(order[2]))
		}
	}
}
