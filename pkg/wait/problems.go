package wait

import (
	"bufio"
	"bytes"
	"context"
	"sort"
	"strings"

	"github.com/kship/kship/pkg/status"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
)

// maxProblems bounds how many pod problems one object reports: the rest are
// usually the same problem in sibling pods.
const maxProblems = 3

// revisionAnnotation is where the Deployment controller writes revisions.
const revisionAnnotation = "deployment.kubernetes.io/revision"

// pods returns the pods that decide live's readiness: a Deployment's pods of
// its current revision, or the pods another workload controls.
func (s *sources) podsOf(live *unstructured.Unstructured) []*corev1.Pod {
	ns := live.GetNamespace()
	owner := string(live.GetUID())
	if live.GetKind() == "Deployment" {
		owner = s.currentReplicaSet(live)
		if owner == "" {
			return nil
		}
	}
	inf := s.pods[ns]
	if inf == nil {
		return nil
	}
	objs, _ := inf.GetIndexer().ByIndex(byController, owner)
	pods := make([]*corev1.Pod, 0, len(objs))
	for _, o := range objs {
		if p, ok := o.(*corev1.Pod); ok {
			pods = append(pods, p)
		}
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	return pods
}

// currentReplicaSet returns the UID of the Deployment's ReplicaSet of its
// current revision.
func (s *sources) currentReplicaSet(d *unstructured.Unstructured) string {
	inf := s.rsets[d.GetNamespace()]
	if inf == nil {
		return ""
	}
	rev := d.GetAnnotations()[revisionAnnotation]
	objs, _ := inf.GetIndexer().ByIndex(byController, string(d.GetUID()))
	for _, o := range objs {
		if rs, ok := o.(*appsv1.ReplicaSet); ok && rev != "" && rs.Annotations[revisionAnnotation] == rev {
			return string(rs.UID)
		}
	}
	return ""
}

// problems diagnoses live's pods, fatal problems first.
func (s *sources) problems(live *unstructured.Unstructured) []status.Problem {
	var fatal, other []status.Problem
	for _, p := range s.podsOf(live) {
		if p.Status.Phase == corev1.PodFailed {
			// Its controller replaces it (or, for a Job, counts it against the
			// backoff limit and says so in its own conditions).
			continue
		}
		for _, pr := range status.Diagnose(p) {
			if pr.Fatal {
				fatal = append(fatal, pr)
			} else {
				other = append(other, pr)
			}
		}
	}
	all := append(fatal, other...)
	if len(all) > maxProblems {
		all = all[:maxProblems]
	}
	return all
}

// explainNotReady adds the latest readiness-probe event to pods that run but
// never became ready.
func (s *sources) explainNotReady(ctx context.Context, ns string, ps []status.Problem) []status.Problem {
	out := append([]status.Problem(nil), ps...)
	for i, p := range out {
		if p.Fatal || p.Reason != "NotReady" {
			continue
		}
		if msg := s.lastEvent(ctx, ns, p.Pod, "Unhealthy"); msg != "" {
			out[i].Message = p.Message + ": " + msg
		}
	}
	return out
}

// explainNotStarted adds, for pods of live still waiting to start their
// containers (ContainerCreating, PodInitializing) with no problem of their
// own, the kubelet's latest FailedMount event: a volume's ConfigMap or Secret
// that does not exist keeps a pod there without any other sign. A kubelet
// retries mounts, so this is said at the timeout, not earlier.
func (s *sources) explainNotStarted(ctx context.Context, live *unstructured.Unstructured, ps []status.Problem) []status.Problem {
	out := append([]status.Problem(nil), ps...)
	named := map[string]bool{}
	for _, p := range ps {
		named[p.Pod] = true
	}
	for _, pod := range s.podsOf(live) {
		if len(out) >= maxProblems {
			break
		}
		if named[pod.Name] || !starting(pod) {
			continue
		}
		if msg := s.lastEvent(ctx, pod.Namespace, pod.Name, "FailedMount"); msg != "" {
			out = append(out, status.Problem{Pod: pod.Name, Reason: "FailedMount", Message: msg})
		}
	}
	return out
}

// starting reports whether pod is Pending with containers that wait to be
// created.
func starting(pod *corev1.Pod) bool {
	if pod.Status.Phase != corev1.PodPending || pod.DeletionTimestamp != nil {
		return false
	}
	for _, st := range append(append([]corev1.ContainerStatus(nil), pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
		if w := st.State.Waiting; w != nil && (w.Reason == "ContainerCreating" || w.Reason == "PodInitializing") {
			return true
		}
	}
	return false
}

func (s *sources) lastEvent(ctx context.Context, ns, pod, reason string) string {
	sel := fields.Set{"involvedObject.name": pod, "reason": reason}.AsSelector().String()
	list, err := s.client.Typed.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: sel})
	if err != nil || len(list.Items) == 0 {
		return ""
	}
	latest := list.Items[0]
	for _, e := range list.Items[1:] {
		if e.LastTimestamp.After(latest.LastTimestamp.Time) {
			latest = e
		}
	}
	return latest.Message
}

// logs fetches what is worth showing for an outcome: the output of a
// finished Job's pods, and the last lines of crashed containers.
func (s *sources) logs(ctx context.Context, live *unstructured.Unstructured, o Outcome, opts Options) map[string][]string {
	if live == nil {
		return nil
	}
	out := map[string][]string{}
	finished := o.Status == status.Current || o.Status == status.Failed
	if live.GetKind() == "Job" && opts.JobLogs && finished {
		for _, p := range s.podsOf(live) {
			for _, c := range p.Spec.Containers {
				if lines := s.podLogs(ctx, p.Namespace, p.Name, c.Name, false, opts.LogLines); len(lines) > 0 {
					out[p.Name+"/"+c.Name] = lines
				}
			}
		}
	}
	for _, p := range o.Problems {
		if p.Container == "" || p.ExitCode == nil {
			continue
		}
		k := p.Pod + "/" + p.Container
		if _, ok := out[k]; ok {
			continue
		}
		lines := s.podLogs(ctx, live.GetNamespace(), p.Pod, p.Container, true, opts.LogLines)
		if len(lines) == 0 {
			lines = s.podLogs(ctx, live.GetNamespace(), p.Pod, p.Container, false, opts.LogLines)
		}
		if len(lines) > 0 {
			out[k] = lines
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (s *sources) podLogs(ctx context.Context, ns, pod, container string, previous bool, tail int64) []string {
	req := s.client.Typed.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: container, Previous: previous, TailLines: &tail})
	b, err := req.DoRaw(ctx)
	if err != nil {
		return nil
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	return lines
}
