package status

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// known is a condition type whose meaning is the same across the
// controllers that use it, so kship can judge any kind that reports it.
type known struct {
	typ string
	// positive: True is the desired state, False or Unknown not yet (Ready,
	// Available). Otherwise True reports something abnormal (Stalled,
	// Reconciling) and False or Unknown is normal.
	positive bool
	// terminal: the abnormal value is an outcome waiting cannot change
	// (Stalled=True, Failed=True, Succeeded=False): the object is Failed.
	// Otherwise it is InProgress.
	terminal bool
	// wait words the InProgress message, with the object's ref: "Waiting
	// for %s to be ready". fail words the Failed one; done the Current one.
	wait, fail, done string
}

// knownConditions, in the order they are judged; the first that is not in
// its desired state names the message. Where they come from:
//   - Stalled, Reconciling: kstatus (sigs.k8s.io/cli-utils), whose "abnormal
//     true" convention Flux follows; Stalled=True is the one failure kstatus
//     reports for custom resources.
//   - Ready: kstatus, Flux, cert-manager, Knative, Crossplane, Cluster API
//     and most operators. Ready=False stays InProgress whatever its reason:
//     controllers report transient errors that way and retry.
//   - Available: APIService, Deployment, OpenShift's ClusterOperator and
//     many operators (Argo CD judges APIServices by it).
//   - Degraded (abnormal true, OpenShift's ClusterOperator and Argo CD's
//     vocabulary): the controller may recover, so InProgress, not Failed.
//   - Synced: Crossplane's managed resources and claims, next to Ready.
//   - Accepted, Programmed: Gateway API (Gateway, GatewayClass).
//   - Failed=True, Complete: batch/v1 Job's conditions, which job-like
//     custom resources copy; Failed=True is final there.
//   - Succeeded: Knative's and Tekton's condition of run-to-completion
//     resources; False is final (the run failed), Unknown means running.
var knownConditions = []known{
	{typ: "Stalled", terminal: true, fail: "%s is stalled"},
	{typ: "Failed", terminal: true, fail: "%s failed"},
	{typ: "Succeeded", positive: true, terminal: true, wait: "Waiting for %s to succeed", fail: "%s did not succeed", done: "%s succeeded"},
	{typ: "Reconciling", wait: "Waiting for %s to reconcile"},
	{typ: "Degraded", wait: "Waiting for %s to recover: it is degraded"},
	{typ: "Ready", positive: true, wait: "Waiting for %s to be ready", done: "%s is ready"},
	{typ: "Available", positive: true, wait: "Waiting for %s to be available", done: "%s is available"},
	{typ: "Synced", positive: true, wait: "Waiting for %s to be synced", done: "%s is synced"},
	{typ: "Accepted", positive: true, wait: "Waiting for %s to be accepted", done: "%s is accepted"},
	{typ: "Programmed", positive: true, wait: "Waiting for %s to be programmed", done: "%s is programmed"},
	{typ: "Complete", positive: true, wait: "Waiting for %s to complete", done: "%s is complete"},
}

// knownNames lists the first known condition types, for messages.
const knownNames = "Ready, Available, ..."

// abnormal reports whether c is not in k's desired state.
func (k known) abnormal(c *condition) bool {
	if k.positive {
		return c.Status != "True"
	}
	return c.Status == "True"
}

// final reports whether c states an outcome that waiting cannot change. An
// Unknown status never does: the controller has not decided yet.
func (k known) final(c *condition) bool {
	if !k.terminal {
		return false
	}
	if k.positive {
		return c.Status == "False"
	}
	return c.Status == "True"
}

// judgeConditions judges u, named r in messages, by the known conditions it
// reports: one older than the spec is InProgress; a final one is Failed;
// one not in its desired state is InProgress; otherwise Current. ok is false
// when u reports none of them.
func judgeConditions(u *unstructured.Unstructured, r string) (res Result, ok bool) {
	conds := conditions(u)
	gen := generation(u)
	type seen struct {
		k known
		c *condition
	}
	var found []seen
	for _, k := range knownConditions {
		c := findCondition(conds, k.typ)
		if c == nil {
			continue
		}
		if c.ObservedGeneration != 0 && c.ObservedGeneration < gen {
			return inProgress("Waiting for %s spec update to be observed...", r), true
		}
		found = append(found, seen{k, c})
	}
	if len(found) == 0 {
		return Result{}, false
	}
	for _, f := range found {
		if f.k.final(f.c) {
			return Result{Status: Failed, Message: withExplanation(fmt.Sprintf(f.k.fail, r), f.c)}, true
		}
	}
	for _, f := range found {
		if f.k.abnormal(f.c) {
			return Result{Status: InProgress, Message: withExplanation(fmt.Sprintf(f.k.wait, r), f.c)}, true
		}
	}
	for _, f := range found {
		if f.k.done != "" {
			return current(f.k.done, r), true
		}
	}
	return current("%s is reconciled", r), true
}
