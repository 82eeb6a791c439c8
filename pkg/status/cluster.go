package status

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// computeCRD: NamesAccepted=False is Failed (the names clash with another
// CRD's); Established=True is Current; anything else InProgress.
func computeCRD(u *unstructured.Unstructured) Result {
	name := u.GetName()
	conds := conditions(u)
	if c := findCondition(conds, "NamesAccepted"); c != nil && c.Status == "False" {
		return Result{Status: Failed, Message: withExplanation(fmt.Sprintf("customresourcedefinition %q: names not accepted", name), c)}
	}
	if isTrue(conds, "Established") {
		return current("customresourcedefinition %q is established", name)
	}
	return inProgress("Waiting for customresourcedefinition %q to be established...", name)
}

// computePDB: Current once the disruption controller has observed the
// PodDisruptionBudget's generation.
func computePDB(u *unstructured.Unstructured) Result {
	r := ref(u)
	if !generationObserved(u) {
		return inProgress("Waiting for %s spec update to be observed...", r)
	}
	return current("%s is observed: %d disruptions allowed", r, intOr(u, 0, "status", "disruptionsAllowed"))
}

// computeHPA: always Current. Its ScalingActive condition is False on any
// cluster without metrics-server, which says nothing about the rollout.
func computeHPA(u *unstructured.Unstructured) Result {
	return current("%s has nothing to wait for", ref(u))
}
