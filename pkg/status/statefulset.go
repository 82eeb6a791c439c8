package status

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// computeStatefulSet follows `kubectl rollout status statefulset`, in its
// wording, with three differences: OnDelete is Current once observed
// (kubectl refuses), surplus replicas being scaled down are waited for, and
// with partition 0 the revisions must match (kubectl skips that check
// whenever spec.updateStrategy.rollingUpdate is set, which the API server
// always does).
func computeStatefulSet(u *unstructured.Unstructured) Result {
	name := u.GetName()
	observed, found := intField(u, 0, "status", "observedGeneration")
	if !found || observed == 0 || generation(u) > observed {
		return inProgress("Waiting for statefulset spec update to be observed...")
	}
	if stringField(u, "spec", "updateStrategy", "type") == "OnDelete" {
		return current("statefulset %q uses the OnDelete update strategy: its pods change only when deleted", name)
	}
	want := intOr(u, 1, "spec", "replicas")
	replicas := intOr(u, 0, "status", "replicas")
	ready := intOr(u, 0, "status", "readyReplicas")
	updated := intOr(u, 0, "status", "updatedReplicas")
	if ready < want {
		return inProgress("Waiting for %d pods to be ready...", want-ready)
	}
	if replicas > want {
		return inProgress("Waiting for %d pods to be terminated...", replicas-want)
	}
	// Only ordinals >= partition get the new revision.
	if partition := intOr(u, 0, "spec", "updateStrategy", "rollingUpdate", "partition"); partition > 0 {
		if updated < want-partition {
			return inProgress("Waiting for partitioned roll out to finish: %d out of %d new pods have been updated...", updated, want-partition)
		}
		return current("partitioned roll out complete: %d new pods have been updated...", updated)
	}
	updateRevision := stringField(u, "status", "updateRevision")
	if currentRevision := stringField(u, "status", "currentRevision"); currentRevision != updateRevision {
		return inProgress("waiting for statefulset rolling update to complete %d pods at revision %s...", updated, updateRevision)
	}
	return current("statefulset rolling update complete %d pods at revision %s...", intOr(u, 0, "status", "currentReplicas"), updateRevision)
}
