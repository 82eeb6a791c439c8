package status

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// computeJob judges a Job. Unlike kstatus, a running Job is not done:
//   - Failed=True or FailureTarget=True: Failed, with the condition's reason
//     and message (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy...).
//     FailureTarget comes first from Kubernetes 1.31 on, while the remaining
//     pods terminate; the outcome is settled then.
//   - Complete=True or SuccessCriteriaMet=True: Current. SuccessCriteriaMet
//     likewise precedes Complete while the remaining pods terminate.
//   - spec.suspend true: Current, as a suspended Job never progresses until
//     someone resumes it.
//   - otherwise InProgress, with the pod counts.
func computeJob(u *unstructured.Unstructured) Result {
	name := u.GetName()
	conds := conditions(u)
	for _, typ := range []string{"Failed", "FailureTarget"} {
		if c := findCondition(conds, typ); c != nil && c.Status == "True" {
			return Result{Status: Failed, Message: withExplanation(fmt.Sprintf("job %q failed", name), c)}
		}
	}
	succeeded := intOr(u, 0, "status", "succeeded")
	if isTrue(conds, "Complete") {
		return current("job %q completed: %d succeeded", name, succeeded)
	}
	if isTrue(conds, "SuccessCriteriaMet") {
		// The controller may set this before it has counted the pods.
		return current("job %q succeeded; its pods are finishing", name)
	}
	if boolField(u, "spec", "suspend") {
		return current("job %q is suspended: it is not awaited", name)
	}
	active := intOr(u, 0, "status", "active")
	failedPods := intOr(u, 0, "status", "failed")
	progress := fmt.Sprintf("%d succeeded", succeeded)
	// Without completions (a work queue), one success ends the Job.
	if completions, ok := intField(u, 0, "spec", "completions"); ok {
		progress = fmt.Sprintf("%d of %d succeeded", succeeded, completions)
	}
	return inProgress("Waiting for job %q to complete: %s, %d active, %d failed", name, progress, active, failedPods)
}

// computeCronJob: a CronJob has nothing to wait for; its Jobs are separate
// objects that come later.
func computeCronJob(u *unstructured.Unstructured) Result {
	return current("cronjob %q has nothing to wait for", u.GetName())
}
