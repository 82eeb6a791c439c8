package status

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// computeGeneric judges any kind without rules of its own, as kstatus does
// for custom resources, with more conditions and an honest Unknown:
//   - status.observedGeneration present and below metadata.generation:
//     InProgress;
//   - the conditions of knownConditions, when it reports any (Stalled=True
//     Failed, Ready=False InProgress, Available=True Current...);
//   - status.observedGeneration caught up: Current, its controller has seen
//     the spec;
//   - no status, or only empty fields (ConfigMap, RBAC, ServiceMonitor...):
//     Current, nothing to wait for;
//   - a custom resource whose status has fields kship cannot read: Unknown,
//     naming them. A built-in kind is Current: kship knows which of them
//     have a rollout worth waiting for, and has rules for those.
func computeGeneric(u *unstructured.Unstructured) Result {
	r := ref(u)
	gen := generation(u)
	observed, hasObserved := intField(u, 0, "status", "observedGeneration")
	if hasObserved && observed < gen {
		return inProgress("Waiting for %s spec update to be observed...", r)
	}
	if res, ok := judgeConditions(u, r); ok {
		return res
	}
	fields := statusFields(u)
	switch {
	case hasObserved:
		return current("%s has nothing to wait for: its controller observed generation %d and reports no condition kship knows", r, observed)
	case len(fields) == 0 || !custom(u.GroupVersionKind().Group):
		return current("%s has nothing to wait for", r)
	}
	return Result{Status: Unknown, Message: "kship cannot judge " + r + ": its status (" + fields +
		") has neither a condition kship knows (" + knownNames + ") nor an observedGeneration"}
}

// withExplanation appends ": reason: message" of c to msg when it has any.
func withExplanation(msg string, c *condition) string {
	if e := explain(c); e != "" {
		return msg + ": " + e
	}
	return msg
}
