package status

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// fatalWaiting are the container waiting reasons that do not go away by
// waiting: the pod spec, the image or the program must change.
var fatalWaiting = map[string]bool{
	"ErrImagePull":               true,
	"ImagePullBackOff":           true,
	"InvalidImageName":           true,
	"ErrImageNeverPull":          true,
	"CrashLoopBackOff":           true,
	"CreateContainerConfigError": true,
	"CreateContainerError":       true,
	"RunContainerError":          true,
}

// startingWaiting are the waiting reasons of a container that is simply
// still starting.
var startingWaiting = map[string]bool{
	"":                  true,
	"ContainerCreating": true,
	"PodInitializing":   true,
}

// Diagnose explains why pod is not ready: most important problem first; nil
// when it is fine or simply still starting (ContainerCreating,
// PodInitializing, not scheduled yet), when it has succeeded, or when it is
// being deleted.
//
// Fatal problems come first, then the others; within each group pod-level
// problems come first, then init containers, then containers, in the order
// of the pod spec. Fatal are:
//   - containers waiting with ErrImagePull, ImagePullBackOff,
//     InvalidImageName, ErrImageNeverPull, CrashLoopBackOff,
//     CreateContainerConfigError, CreateContainerError or RunContainerError;
//   - a container whose current or last termination is OOMKilled, reported
//     as OOMKilled even while it waits in CrashLoopBackOff;
//   - a container that exited non-zero and will not be restarted
//     (restartPolicy Never);
//   - PodScheduled=False with reason Unschedulable;
//   - every problem of a pod in phase Failed (a pod-level reason such as
//     Evicted or DeadlineExceeded, the containers' exit codes). Callers
//     diagnosing pods of a controller that replaces failed pods (ReplicaSet,
//     StatefulSet, DaemonSet) or a Job whose backoffLimit allows retries may
//     want to skip pods in phase Failed.
//
// Not fatal: a running container that is not ready (NotReady; a caller that
// has the readiness probe's event can add its text), a container that exited
// and will be restarted, PodScheduled=False for another reason than
// Unschedulable (SchedulingGated...), and any other waiting reason.
func Diagnose(pod *corev1.Pod) []Problem {
	if pod == nil || pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodSucceeded {
		return nil
	}
	podFailed := pod.Status.Phase == corev1.PodFailed
	var ps []Problem
	if podFailed && pod.Status.Reason != "" {
		ps = append(ps, Problem{Pod: pod.Name, Reason: pod.Status.Reason, Message: pod.Status.Message})
	}
	for _, c := range pod.Status.Conditions {
		if c.Type != corev1.PodScheduled || c.Status != corev1.ConditionFalse {
			continue
		}
		p := Problem{Pod: pod.Name, Reason: c.Reason, Message: c.Message, Fatal: c.Reason == corev1.PodReasonUnschedulable}
		if p.Reason == "" {
			p.Reason = "NotScheduled"
		}
		ps = append(ps, p)
	}
	for _, c := range ordered(pod.Spec.InitContainers, pod.Status.InitContainerStatuses) {
		if p, ok := diagnoseContainer(pod, c.spec, c.status, true); ok {
			ps = append(ps, p)
		}
	}
	for _, c := range ordered(pod.Spec.Containers, pod.Status.ContainerStatuses) {
		if p, ok := diagnoseContainer(pod, c.spec, c.status, false); ok {
			ps = append(ps, p)
		}
	}
	if podFailed {
		if len(ps) == 0 {
			msg := pod.Status.Message
			if msg == "" {
				msg = "the pod failed"
			}
			ps = append(ps, Problem{Pod: pod.Name, Reason: "Failed", Message: msg})
		}
		// A failed pod never runs again.
		for i := range ps {
			ps[i].Fatal = true
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Fatal && !ps[j].Fatal })
	return ps
}

// specAndStatus pairs a container's spec, nil when unknown, with its status.
type specAndStatus struct {
	spec   *corev1.Container
	status corev1.ContainerStatus
}

// ordered returns the statuses in the order of the spec (the kubelet sorts
// containerStatuses by name), followed by any status without a spec.
func ordered(specs []corev1.Container, statuses []corev1.ContainerStatus) []specAndStatus {
	out := make([]specAndStatus, 0, len(statuses))
	used := make([]bool, len(statuses))
	for i := range specs {
		for j := range statuses {
			if !used[j] && statuses[j].Name == specs[i].Name {
				used[j] = true
				out = append(out, specAndStatus{&specs[i], statuses[j]})
				break
			}
		}
	}
	for j := range statuses {
		if !used[j] {
			out = append(out, specAndStatus{nil, statuses[j]})
		}
	}
	return out
}

// diagnoseContainer returns the problem of one container, ok false when it
// has none.
func diagnoseContainer(pod *corev1.Pod, spec *corev1.Container, st corev1.ContainerStatus, init bool) (p Problem, ok bool) {
	p = Problem{Pod: pod.Name, Container: st.Name, InitContainer: init, Restarts: st.RestartCount}
	sidecar := init && spec != nil && spec.RestartPolicy != nil && *spec.RestartPolicy == corev1.ContainerRestartPolicyAlways
	last := st.LastTerminationState.Terminated
	switch {
	case st.State.Waiting != nil:
		w := st.State.Waiting
		if startingWaiting[w.Reason] {
			return p, false
		}
		if w.Reason == "CrashLoopBackOff" && last != nil {
			// Root cause first: the last termination says why it crashes.
			if last.Reason == "OOMKilled" {
				return oomKilled(p, last, spec), true
			}
			p.Reason, p.Fatal = w.Reason, true
			p.ExitCode, p.ExitReason, p.Message = exitCode(last), last.Reason, last.Message
			return p, true
		}
		p.Reason, p.Message, p.Fatal = w.Reason, w.Message, fatalWaiting[w.Reason]
		return p, true
	case st.State.Terminated != nil:
		t := st.State.Terminated
		if t.Reason == "OOMKilled" {
			return oomKilled(p, t, spec), true
		}
		if t.ExitCode == 0 {
			return p, false // a finished init container, or a container about to restart
		}
		p.Reason = t.Reason
		if p.Reason == "" {
			p.Reason = "Error"
		}
		p.ExitCode, p.ExitReason, p.Message = exitCode(t), t.Reason, t.Message
		p.Fatal = !sidecar && restartPolicy(pod, spec, init) == corev1.RestartPolicyNever
		return p, true
	case st.State.Running != nil:
		if st.Ready || (init && !sidecar) {
			return p, false // ready, or an init container still doing its job
		}
		what := "container"
		if init {
			what = "init container"
		}
		p.Reason = "NotReady"
		p.Message = fmt.Sprintf("%s %s is running but not ready", what, st.Name)
		return p, true
	}
	return p, false
}

// oomKilled describes a container killed for lack of memory.
func oomKilled(p Problem, t *corev1.ContainerStateTerminated, spec *corev1.Container) Problem {
	p.Reason, p.Fatal = "OOMKilled", true
	p.ExitCode, p.ExitReason = exitCode(t), t.Reason
	if spec != nil {
		if q, ok := spec.Resources.Limits[corev1.ResourceMemory]; ok {
			p.Message = fmt.Sprintf("memory limit %s exceeded", q.String())
		} else {
			p.Message = "out of memory, with no memory limit set"
		}
	}
	return p
}

func exitCode(t *corev1.ContainerStateTerminated) *int32 {
	c := t.ExitCode
	return &c
}

// restartPolicy is the policy that decides whether a terminated container is
// started again: the container's own, else the pod's (Always by default).
func restartPolicy(pod *corev1.Pod, spec *corev1.Container, init bool) corev1.RestartPolicy {
	if !init && spec != nil && spec.RestartPolicy != nil {
		return corev1.RestartPolicy(*spec.RestartPolicy)
	}
	if pod.Spec.RestartPolicy == "" {
		return corev1.RestartPolicyAlways
	}
	return pod.Spec.RestartPolicy
}
