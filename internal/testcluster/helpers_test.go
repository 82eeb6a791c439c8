package testcluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

const (
	pollInterval = 100 * time.Millisecond
	// waitTimeout bounds every wait; kwok's stages take well under a second
	// per step, so anything near this means the behaviour is broken.
	waitTimeout = 30 * time.Second
)

// eventually polls check until it reports done, failing the test with the last
// state check described if that takes longer than waitTimeout.
func eventually(t *testing.T, what string, check func(ctx context.Context) (done bool, state string, err error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	state := "nothing observed yet"
	for {
		done, s, err := check(ctx)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if s != "" {
			state = s
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s; last state:\n%s", waitTimeout, what, state)
		case <-time.After(pollInterval):
		}
	}
}

// waitPod waits until a pod matching selector satisfies ok and returns it.
func waitPod(t *testing.T, cs kubernetes.Interface, ns, selector, what string, ok func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	var found *corev1.Pod
	eventually(t, what, func(ctx context.Context) (bool, string, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false, err.Error(), nil
		}
		states := ""
		for i := range pods.Items {
			p := &pods.Items[i]
			if ok(p) {
				found = p
				return true, "", nil
			}
			states += fmt.Sprintf("pod %s: %s\n", p.Name, dump(p.Status))
		}
		return false, states, nil
	})
	return found
}

// waitEvent waits for an event of the given type and reason about the named
// object and returns its message.
func waitEvent(t *testing.T, cs kubernetes.Interface, ns, object, eventType, reason string) string {
	t.Helper()
	var msg string
	eventually(t, fmt.Sprintf("a %s event %s on %s", eventType, reason, object), func(ctx context.Context) (bool, string, error) {
		events, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
			FieldSelector: "involvedObject.name=" + object,
		})
		if err != nil {
			return false, err.Error(), nil
		}
		seen := ""
		for _, e := range events.Items {
			if e.Type == eventType && e.Reason == reason {
				msg = e.Message
				return true, "", nil
			}
			seen += fmt.Sprintf("%s %s: %s\n", e.Type, e.Reason, e.Message)
		}
		return false, seen, nil
	})
	return msg
}

// rolledOut reports whether a Deployment finished rolling out, with the same
// checks as `kubectl rollout status`.
func rolledOut(d *appsv1.Deployment) (bool, string, error) {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return false, "", fmt.Errorf("deployment %s exceeded its progress deadline", d.Name)
		}
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	s := d.Status
	switch {
	case d.Generation > s.ObservedGeneration:
		return false, "waiting for the spec update to be observed", nil
	case s.UpdatedReplicas < want:
		return false, fmt.Sprintf("%d out of %d new replicas have been updated", s.UpdatedReplicas, want), nil
	case s.Replicas > s.UpdatedReplicas:
		return false, fmt.Sprintf("%d old replicas are pending termination", s.Replicas-s.UpdatedReplicas), nil
	case s.AvailableReplicas < s.UpdatedReplicas:
		return false, fmt.Sprintf("%d of %d updated replicas are available", s.AvailableReplicas, s.UpdatedReplicas), nil
	}
	return true, "", nil
}

func waitRollout(t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	eventually(t, "rollout of deployment "+name, func(ctx context.Context) (bool, string, error) {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error(), nil
		}
		return rolledOut(d)
	})
}

func podTemplate(app string, annotations map[string]string, image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}, Annotations: annotations},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "app",
				Image: image,
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("100m"),
					corev1.ResourceMemory: resource.MustParse("64Mi"),
				}},
			}},
		},
	}
}

func deployment(name string, replicas int32, tmpl corev1.PodTemplateSpec) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: tmpl.Labels},
			Template: tmpl,
		},
	}
}

func job(name string, backoffLimit int32, tmpl corev1.PodTemplateSpec) *batchv1.Job {
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       batchv1.JobSpec{BackoffLimit: &backoffLimit, Template: tmpl},
	}
}

func podCondition(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

func podReady(p *corev1.Pod) bool {
	c := podCondition(p, corev1.PodReady)
	return c != nil && c.Status == corev1.ConditionTrue
}

// container returns the status of the pod's first container.
func container(p *corev1.Pod) corev1.ContainerStatus {
	if len(p.Status.ContainerStatuses) == 0 {
		return corev1.ContainerStatus{}
	}
	return p.Status.ContainerStatuses[0]
}

func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
