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

// computeAPIService: a local APIService (no spec.service: the API server
// serves the group itself) is Current; an aggregated one is Current once its
// Available condition is True, and InProgress otherwise, with the
// condition's reason and message (ServiceNotFound, MissingEndpoints,
// FailedDiscoveryCheck...). Never Failed: the Service's pods are usually
// rolled out by the same deploy, and the API becomes available when they are
// ready.
func computeAPIService(u *unstructured.Unstructured) Result {
	r := ref(u)
	if svc, ok, _ := unstructured.NestedMap(u.Object, "spec", "service"); !ok || svc == nil {
		return current("%s is local: the API server serves it", r)
	}
	c := findCondition(conditions(u), "Available")
	switch {
	case c == nil:
		return inProgress("Waiting for %s to be available...", r)
	case c.Status == "True":
		return current("%s is available", r)
	}
	return Result{Status: InProgress, Message: withExplanation(fmt.Sprintf("Waiting for %s to be available", r), c)}
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
