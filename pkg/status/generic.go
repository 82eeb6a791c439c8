package status

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// computeGeneric judges any kind without rules of its own, as kstatus does
// for custom resources:
//   - status.observedGeneration present and below metadata.generation:
//     InProgress;
//   - Stalled=True: Failed;
//   - Reconciling=True: InProgress;
//   - Ready=True: Current, unless the condition's own observedGeneration is
//     behind metadata.generation; Ready False or Unknown: InProgress, with
//     its reason and message;
//   - otherwise, including no status at all (ConfigMap, Secret, RBAC...):
//     Current.
func computeGeneric(u *unstructured.Unstructured) Result {
	r := ref(u)
	gen := generation(u)
	if observed, ok := intField(u, 0, "status", "observedGeneration"); ok && observed < gen {
		return inProgress("Waiting for %s spec update to be observed...", r)
	}
	conds := conditions(u)
	if c := findCondition(conds, "Stalled"); c != nil && c.Status == "True" {
		return Result{Status: Failed, Message: withExplanation(fmt.Sprintf("%s is stalled", r), c)}
	}
	if c := findCondition(conds, "Reconciling"); c != nil && c.Status == "True" {
		return Result{Status: InProgress, Message: withExplanation(fmt.Sprintf("Waiting for %s to reconcile", r), c)}
	}
	if c := findCondition(conds, "Ready"); c != nil {
		if c.ObservedGeneration != 0 && c.ObservedGeneration < gen {
			return inProgress("Waiting for %s spec update to be observed...", r)
		}
		if c.Status == "True" {
			return current("%s is ready", r)
		}
		return Result{Status: InProgress, Message: withExplanation(fmt.Sprintf("Waiting for %s to be ready", r), c)}
	}
	return current("%s has nothing to wait for", r)
}

// withExplanation appends ": reason: message" of c to msg when it has any.
func withExplanation(msg string, c *condition) string {
	if e := explain(c); e != "" {
		return msg + ": " + e
	}
	return msg
}
