package workload

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// NoReadyPodError says none of a workload's pods is ready to run a command.
type NoReadyPodError struct {
	Workloads []string
	// Pods says, of each pod, what state it is in.
	Pods []string
}

func (e *NoReadyPodError) Error() string {
	if len(e.Pods) == 0 {
		return fmt.Sprintf("%s has no pods: deploy it, or check why it does not run (kship status)", strings.Join(e.Workloads, ", "))
	}
	return fmt.Sprintf("%s has no ready pod: %s; wait for one (kship status), or look at its logs (kship logs)", strings.Join(e.Workloads, ", "), strings.Join(e.Pods, "; "))
}

// Choose returns the pod of pods a command should run in, as kubectl exec
// chooses one for a workload: among the running and ready pods, the one
// ready the longest, then with the fewest restarts, then the oldest.
func Choose(ws []Workload, pods []corev1.Pod) (*corev1.Pod, error) {
	var ready []*corev1.Pod
	for i := range pods {
		if p := &pods[i]; p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && readySince(p) != nil {
			ready = append(ready, p)
		}
	}
	if len(ready) == 0 {
		e := &NoReadyPodError{}
		for _, w := range ws {
			e.Workloads = append(e.Workloads, w.Ref.String())
		}
		for i := range pods {
			e.Pods = append(e.Pods, fmt.Sprintf("%s is %s", pods[i].Name, state(&pods[i])))
		}
		return nil, e
	}
	sort.SliceStable(ready, func(i, j int) bool {
		a, b := ready[i], ready[j]
		if ta, tb := readySince(a), readySince(b); !ta.Equal(*tb) {
			return ta.Before(*tb)
		}
		if ra, rb := restarts(a), restarts(b); ra != rb {
			return ra < rb
		}
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return a.CreationTimestamp.Before(&b.CreationTimestamp)
		}
		return a.Name < b.Name
	})
	return ready[0], nil
}

// readySince is when p became ready, nil when it is not.
func readySince(p *corev1.Pod) *time.Time {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			t := c.LastTransitionTime.Time
			return &t
		}
	}
	return nil
}

func restarts(p *corev1.Pod) int32 {
	var n int32
	for _, c := range p.Status.ContainerStatuses {
		n += c.RestartCount
	}
	return n
}

// state says what p is doing, as kubectl get pods would: its phase, a
// waiting container's reason, or that it runs but is not ready.
func state(p *corev1.Pod) string {
	if p.DeletionTimestamp != nil {
		return "terminating"
	}
	for _, c := range p.Status.ContainerStatuses {
		if w := c.State.Waiting; w != nil && w.Reason != "" {
			return string(p.Status.Phase) + " (" + w.Reason + ")"
		}
	}
	if p.Status.Phase == corev1.PodRunning {
		return "running, not ready"
	}
	return strings.ToLower(string(p.Status.Phase))
}
