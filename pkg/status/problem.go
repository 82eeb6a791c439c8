package status

import (
	"fmt"
	"strings"
)

// Problem is why a pod is not becoming ready, as a person would say it.
type Problem struct {
	// Pod is the pod's name.
	Pod string
	// Container is the container's name; "" for pod-level problems such as
	// scheduling.
	Container string
	// InitContainer is true when Container is an init container (sidecars
	// included).
	InitContainer bool
	// Reason is a short CamelCase cause: a kubelet waiting or terminated
	// reason (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, OOMKilled,
	// CreateContainerConfigError, Error...), a scheduler reason
	// (Unschedulable), a pod status reason (Evicted, DeadlineExceeded), or
	// NotReady for a running container that fails its readiness probe.
	Reason string
	// Message is the kubelet's or the scheduler's explanation, e.g.
	// `Failed to pull image "registry.invalid/api:missing": ...` or `0/3
	// nodes are available: 3 Insufficient cpu.`, or a container's
	// termination message. It may be empty and may span lines.
	Message string
	// ExitCode is the exit code of the container's last termination, for
	// problems about a terminated container; nil otherwise.
	ExitCode *int32
	// ExitReason is the reason of that termination (Error, OOMKilled,
	// Completed...), "" when ExitCode is nil.
	ExitReason string
	// Restarts is the container's restart count.
	Restarts int32
	// Fatal is true when the pod cannot become ready without someone
	// changing something: the deploy should fail now instead of waiting for
	// its timeout.
	Fatal bool
}

// String renders the problem on one line, e.g.
//
//	pod api-7d9f-x2: container api: CrashLoopBackOff: exit code 3 (Error), 4 restarts
//	pod api-7d9f-x2: container api: ImagePullBackOff: Back-off pulling image "registry.invalid/api:missing"
//	pod api-7d9f-x2: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.
//
// Runs of white space in Message, newlines included, become one space.
func (p Problem) String() string {
	return "pod " + p.Pod + ": " + p.detail()
}

// detail is String without the leading "pod NAME: ".
func (p Problem) detail() string {
	var b strings.Builder
	if p.Container != "" {
		if p.InitContainer {
			b.WriteString("init ")
		}
		b.WriteString("container " + p.Container + ": ")
	}
	b.WriteString(p.Reason)
	var facts []string
	if p.ExitCode != nil {
		f := fmt.Sprintf("exit code %d", *p.ExitCode)
		if p.ExitReason != "" && p.ExitReason != p.Reason {
			f += " (" + p.ExitReason + ")"
		}
		facts = append(facts, f)
	}
	switch {
	case p.Restarts == 1:
		facts = append(facts, "1 restart")
	case p.Restarts > 1:
		facts = append(facts, fmt.Sprintf("%d restarts", p.Restarts))
	}
	if len(facts) > 0 {
		b.WriteString(": " + strings.Join(facts, ", "))
	}
	if m := oneLine(p.Message); m != "" {
		b.WriteString(": " + m)
	}
	return b.String()
}

// IsFatal reports whether any of ps is fatal.
func IsFatal(ps []Problem) bool {
	for _, p := range ps {
		if p.Fatal {
			return true
		}
	}
	return false
}
