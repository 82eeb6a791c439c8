package status

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// computeDeployment follows `kubectl rollout status deployment`, plus: a
// paused Deployment is Current once observed, and a ReplicaFailure condition
// is quoted in the message.
func computeDeployment(u *unstructured.Unstructured) Result {
	name := u.GetName()
	if !generationObserved(u) {
		return inProgress("Waiting for deployment spec update to be observed...")
	}
	if boolField(u, "spec", "paused") {
		return current("deployment %q is paused: its rollout is not awaited", name)
	}
	conds := conditions(u)
	// kubectl looks at the reason only; the controller sets it with
	// status False.
	if c := findCondition(conds, "Progressing"); c != nil && c.Reason == "ProgressDeadlineExceeded" {
		return withReplicaFailure(failed("deployment %q exceeded its progress deadline", name), conds)
	}
	want := intOr(u, 1, "spec", "replicas")
	replicas := intOr(u, 0, "status", "replicas")
	updated := intOr(u, 0, "status", "updatedReplicas")
	available := intOr(u, 0, "status", "availableReplicas")
	switch {
	case updated < want:
		return withReplicaFailure(inProgress("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...", name, updated, want), conds)
	case replicas > updated:
		return withReplicaFailure(inProgress("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...", name, replicas-updated), conds)
	case available < updated:
		return withReplicaFailure(inProgress("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...", name, available, updated), conds)
	}
	return current("deployment %q successfully rolled out", name)
}

// withReplicaFailure appends the reason and message of a ReplicaFailure=True
// condition (pods the controller could not create, e.g. refused by a
// ResourceQuota or an admission webhook) to an unfinished result.
func withReplicaFailure(r Result, conds []condition) Result {
	if c := findCondition(conds, "ReplicaFailure"); c != nil && c.Status == "True" {
		if e := explain(c); e != "" {
			r.Message += fmt.Sprintf(" (%s)", e)
		}
	}
	return r
}

// computeDaemonSet follows `kubectl rollout status daemonset`, plus: a
// DaemonSet with the OnDelete update strategy is Current once observed.
func computeDaemonSet(u *unstructured.Unstructured) Result {
	name := u.GetName()
	if !generationObserved(u) {
		return inProgress("Waiting for daemon set spec update to be observed...")
	}
	if stringField(u, "spec", "updateStrategy", "type") == "OnDelete" {
		return current("daemon set %q uses the OnDelete update strategy: its pods change only when deleted", name)
	}
	desired := intOr(u, 0, "status", "desiredNumberScheduled")
	updated := intOr(u, 0, "status", "updatedNumberScheduled")
	available := intOr(u, 0, "status", "numberAvailable")
	switch {
	case updated < desired:
		return inProgress("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...", name, updated, desired)
	case available < desired:
		return inProgress("Waiting for daemon set %q rollout to finish: %d of %d updated pods are available...", name, available, desired)
	}
	return current("daemon set %q successfully rolled out", name)
}

// computeReplicaSet judges a ReplicaSet or a ReplicationController, which
// kubectl has no rollout status for: every wanted replica must be ready and
// available, and surplus replicas gone.
func computeReplicaSet(u *unstructured.Unstructured) Result {
	r := ref(u)
	if !generationObserved(u) {
		return inProgress("Waiting for %s spec update to be observed...", r)
	}
	conds := conditions(u)
	want := intOr(u, 1, "spec", "replicas")
	replicas := intOr(u, 0, "status", "replicas")
	ready := intOr(u, 0, "status", "readyReplicas")
	available := intOr(u, 0, "status", "availableReplicas")
	switch {
	case ready < want:
		return withReplicaFailure(inProgress("Waiting for %s to be ready: %d of %d replicas are ready...", r, ready, want), conds)
	case available < want:
		return withReplicaFailure(inProgress("Waiting for %s to be ready: %d of %d replicas are available...", r, available, want), conds)
	case replicas > want:
		return inProgress("Waiting for %s to scale down: %d old replicas are pending termination...", r, replicas-want)
	}
	return current("%s has %d of %d replicas available", r, available, want)
}
