package status

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// computePod judges a bare Pod: Succeeded, or Running and Ready, is Current;
// phase Failed is Failed; anything else is InProgress. The first problem
// [Diagnose] finds is quoted in the message, but a fatal problem does not
// make the Pod Failed by itself; see [IsFatal].
func computePod(u *unstructured.Unstructured) Result {
	name := u.GetName()
	phase := stringField(u, "status", "phase")
	switch phase {
	case "Succeeded":
		return current("pod %q succeeded", name)
	case "Failed":
		msg := fmt.Sprintf("pod %q failed", name)
		if d := firstProblem(u); d != "" {
			msg += ": " + d
		}
		return Result{Status: Failed, Message: msg}
	case "Running":
		if isTrue(conditions(u), "Ready") {
			return current("pod %q is ready", name)
		}
	}
	msg := fmt.Sprintf("Waiting for pod %q to be ready", name)
	if phase != "" {
		msg += fmt.Sprintf(" (phase %s)", phase)
	}
	if d := firstProblem(u); d != "" {
		msg += ": " + d
	}
	return Result{Status: InProgress, Message: msg}
}

// firstProblem returns the most important problem of the pod u, without the
// pod's name, or "" if there is none or u does not convert to a Pod.
func firstProblem(u *unstructured.Unstructured) string {
	var pod corev1.Pod
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &pod); err != nil {
		return ""
	}
	ps := Diagnose(&pod)
	if len(ps) == 0 {
		return ""
	}
	return ps[0].detail()
}

// computePVC: Bound is Current, Lost is Failed, anything else (Pending)
// InProgress.
func computePVC(u *unstructured.Unstructured) Result {
	r := ref(u)
	switch phase := stringField(u, "status", "phase"); phase {
	case "Bound":
		return current("%s is bound", r)
	case "Lost":
		msg := fmt.Sprintf("%s lost its volume", r)
		if v := stringField(u, "spec", "volumeName"); v != "" {
			msg += fmt.Sprintf(" %q", v)
		}
		return Result{Status: Failed, Message: msg}
	case "":
		return inProgress("Waiting for %s to be bound...", r)
	default:
		return inProgress("Waiting for %s to be bound (phase %s)...", r, phase)
	}
}

// computeNamespace: Active is Current, Terminating is Terminating.
func computeNamespace(u *unstructured.Unstructured) Result {
	r := ref(u)
	switch phase := stringField(u, "status", "phase"); phase {
	case "Active":
		return current("%s is active", r)
	case "Terminating":
		return Result{Status: Terminating, Message: fmt.Sprintf("%s is terminating", r)}
	default:
		return inProgress("Waiting for %s to become active...", r)
	}
}

// computeService: always Current. A LoadBalancer Service is not awaited
// until it gets an external address, as clusters without a cloud
// load-balancer controller never give it one.
func computeService(u *unstructured.Unstructured) Result {
	r := ref(u)
	if stringField(u, "spec", "type") != "LoadBalancer" {
		return current("%s has nothing to wait for", r)
	}
	ingress, _, _ := unstructured.NestedSlice(u.Object, "status", "loadBalancer", "ingress")
	var addrs []string
	for _, item := range ingress {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"ip", "hostname"} {
			if s, ok := m[k].(string); ok && s != "" {
				addrs = append(addrs, s)
			}
		}
	}
	if len(addrs) == 0 {
		return current("%s has no load-balancer address yet; it is not awaited", r)
	}
	return current("%s has load-balancer address %s", r, strings.Join(addrs, ", "))
}
