package testcluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kship/kship/internal/testcluster"
)

const image = "registry.example/app:1.0"

func TestDeploymentRollsOut(t *testing.T) {
	t.Parallel()
	c := testcluster.Require(t)
	ns, cs, ctx := c.Namespace(t), c.Clientset(), context.Background()

	d := deployment("web", 3, podTemplate("web", nil, image))
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRollout(t, cs, ns, "web")

	// A second rollout replaces every pod: old pods must terminate and go away.
	patch := `{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"registry.example/app:2.0"}]}}}}`
	if _, err := cs.AppsV1().Deployments(ns).Patch(ctx, "web", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRollout(t, cs, ns, "web")
	eventually(t, "only the 3 new pods to remain", func(ctx context.Context) (bool, string, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, err.Error(), nil
		}
		state := ""
		for _, p := range pods.Items {
			state += p.Name + " " + p.Spec.Containers[0].Image + " " + string(p.Status.Phase) + "\n"
			if p.Spec.Containers[0].Image != "registry.example/app:2.0" || !podReady(&p) {
				return false, state, nil
			}
		}
		return len(pods.Items) == 3, state, nil
	})
}

func TestPodRunsAndIsDeleted(t *testing.T) {
	t.Parallel()
	c := testcluster.Require(t)
	ns, cs, ctx := c.Namespace(t), c.Clientset(), context.Background()

	// Created right after the namespace: Namespace waits for its ServiceAccount.
	tmpl := podTemplate("solo", nil, image)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "solo", Labels: tmpl.Labels}, Spec: tmpl.Spec}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := waitPod(t, cs, ns, "app=solo", "a ready pod", podReady)
	if p.Status.Phase != corev1.PodRunning || p.Status.PodIP == "" || p.Status.HostIP != "127.0.0.1" || container(p).State.Running == nil {
		t.Errorf("pod status %s; want Running with a pod IP, host IP 127.0.0.1 and a running container", dump(p.Status))
	}

	if err := cs.CoreV1().Pods(ns).Delete(ctx, "solo", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted pod to be gone", func(ctx context.Context) (bool, string, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "solo", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, "", nil
		}
		if err != nil {
			return false, err.Error(), nil
		}
		return false, dump(p.Status), nil
	})
}

func TestJobCompletes(t *testing.T) {
	t.Parallel()
	c := testcluster.Require(t)
	ns, cs, ctx := c.Namespace(t), c.Clientset(), context.Background()

	j := job("migrate", 0, podTemplate("migrate", nil, image))
	j.Spec.Completions = new(int32(2))
	if _, err := cs.BatchV1().Jobs(ns).Create(ctx, j, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitJobCondition(t, c, ns, "migrate", batchv1.JobComplete, "")
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=migrate"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 2 {
		t.Fatalf("got %d pods, want 2", len(pods.Items))
	}
	for _, p := range pods.Items {
		term := container(&p).State.Terminated
		if p.Status.Phase != corev1.PodSucceeded || term == nil || term.ExitCode != 0 || term.Reason != "Completed" {
			t.Errorf("pod %s: phase %s, container state %s; want Succeeded, terminated with exit code 0 (Completed)",
				p.Name, p.Status.Phase, dump(container(&p).State))
		}
	}
}

func TestJobFailsWithBackoffLimitExceeded(t *testing.T) {
	t.Parallel()
	c := testcluster.Require(t)
	ns, cs, ctx := c.Namespace(t), c.Clientset(), context.Background()

	j := job("broken", 0, podTemplate("broken", map[string]string{testcluster.AnnotationFail: "2"}, image))
	if _, err := cs.BatchV1().Jobs(ns).Create(ctx, j, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitJobCondition(t, c, ns, "broken", batchv1.JobFailed, "BackoffLimitExceeded")
	p := waitPod(t, cs, ns, "app=broken", "a failed pod", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
	term := container(p).State.Terminated
	if term == nil || term.ExitCode != 2 || term.Reason != "Error" {
		t.Errorf("container state %s; want terminated with exit code 2, reason Error", dump(container(p).State))
	}
}

func waitJobCondition(t *testing.T, c *testcluster.Cluster, ns, name string, typ batchv1.JobConditionType, reason string) {
	t.Helper()
	eventually(t, "job "+name+" condition "+string(typ), func(ctx context.Context) (bool, string, error) {
		j, err := c.Clientset().BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error(), nil
		}
		for _, cond := range j.Status.Conditions {
			if cond.Type == typ && cond.Status == corev1.ConditionTrue {
				if reason != "" && cond.Reason != reason {
					return false, "", fmt.Errorf("job condition %s; want reason %s", dump(cond), reason)
				}
				return true, "", nil
			}
		}
		return false, dump(j.Status), nil
	})
}

// TestFailureModes checks that pods report failures the way a real kubelet
// does. Each case runs a one-replica Deployment whose pod template carries
// the annotation or image that triggers the failure.
func TestFailureModes(t *testing.T) {
	t.Parallel()
	c := testcluster.Require(t)

	tests := []struct {
		name        string
		annotations map[string]string
		image       string
		cpu         string
		// check waits for the expected state of the pod and verifies it.
		check func(t *testing.T, c *testcluster.Cluster, ns string)
	}{
		{
			name:  "image pull failure",
			image: "registry.invalid/api:missing",
			check: checkImagePullFailure,
		},
		{
			name:        "crash loop",
			annotations: map[string]string{testcluster.AnnotationCrash: "3"},
			check:       checkCrashLoop(3, "Error"),
		},
		{
			name:        "OOM killed",
			annotations: map[string]string{testcluster.AnnotationOOM: "true"},
			check:       checkCrashLoop(137, "OOMKilled"),
		},
		{
			name:        "never ready",
			annotations: map[string]string{testcluster.AnnotationNeverReady: "true"},
			check:       checkNeverReady,
		},
		{
			name:        "ready after a delay",
			annotations: map[string]string{testcluster.AnnotationReadyAfter: "2s"},
			check:       checkReadyAfter(2 * time.Second),
		},
		{
			name:  "unschedulable",
			cpu:   "100",
			check: checkUnschedulable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ns := c.Namespace(t)
			img := tt.image
			if img == "" {
				img = image
			}
			tmpl := podTemplate("app", tt.annotations, img)
			if tt.cpu != "" {
				tmpl.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse(tt.cpu)
			}
			_, err := c.Clientset().AppsV1().Deployments(ns).Create(context.Background(), deployment("app", 1, tmpl), metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c, ns)
		})
	}
}

func checkImagePullFailure(t *testing.T, c *testcluster.Cluster, ns string) {
	cs := c.Clientset()
	const want = `Failed to pull image "registry.invalid/api:missing": `
	p := waitPod(t, cs, ns, "app=app", "container waiting with ErrImagePull", func(p *corev1.Pod) bool {
		w := container(p).State.Waiting
		return w != nil && w.Reason == "ErrImagePull"
	})
	if msg := container(p).State.Waiting.Message; !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, "no such host") {
		t.Errorf("waiting message %q; want %q...no such host", msg, want)
	}
	if p.Status.Phase != corev1.PodPending || podReady(p) {
		t.Errorf("pod phase %s, ready %v; want Pending and not ready", p.Status.Phase, podReady(p))
	}
	waitPod(t, cs, ns, "app=app", "container waiting with ImagePullBackOff", func(p *corev1.Pod) bool {
		w := container(p).State.Waiting
		return w != nil && w.Reason == "ImagePullBackOff" && strings.Contains(w.Message, "registry.invalid/api:missing")
	})
	if msg := waitEvent(t, cs, ns, p.Name, corev1.EventTypeWarning, "Failed"); !strings.HasPrefix(msg, want) {
		t.Errorf("Failed event message %q; want prefix %q", msg, want)
	}
}

func checkCrashLoop(exitCode int32, reason string) func(*testing.T, *testcluster.Cluster, string) {
	return func(t *testing.T, c *testcluster.Cluster, ns string) {
		cs := c.Clientset()
		p := waitPod(t, cs, ns, "app=app", "container in CrashLoopBackOff", func(p *corev1.Pod) bool {
			w := container(p).State.Waiting
			return w != nil && w.Reason == "CrashLoopBackOff"
		})
		st := container(p)
		last := st.LastTerminationState.Terminated
		if last == nil || last.ExitCode != exitCode || last.Reason != reason {
			t.Errorf("lastState %s; want terminated with exit code %d, reason %s", dump(st.LastTerminationState), exitCode, reason)
		}
		if st.RestartCount < 1 || st.Ready || podReady(p) {
			t.Errorf("restartCount %d, container ready %v, pod ready %v; want >= 1, false, false", st.RestartCount, st.Ready, podReady(p))
		}
		if p.Status.Phase != corev1.PodRunning {
			t.Errorf("pod phase %s; want Running", p.Status.Phase)
		}
		// The container keeps restarting.
		waitPod(t, cs, ns, "app=app", "a second restart", func(p *corev1.Pod) bool { return container(p).RestartCount >= 2 })
		if msg := waitEvent(t, cs, ns, p.Name, corev1.EventTypeWarning, "BackOff"); !strings.HasPrefix(msg, "Back-off restarting failed container app") {
			t.Errorf("BackOff event message %q", msg)
		}
	}
}

func checkNeverReady(t *testing.T, c *testcluster.Cluster, ns string) {
	cs := c.Clientset()
	p := waitPod(t, cs, ns, "app=app", "a running container", func(p *corev1.Pod) bool {
		return container(p).State.Running != nil
	})
	if msg := waitEvent(t, cs, ns, p.Name, corev1.EventTypeWarning, "Unhealthy"); !strings.HasPrefix(msg, "Readiness probe failed") {
		t.Errorf("Unhealthy event message %q", msg)
	}
	time.Sleep(1500 * time.Millisecond) // long past the ~100ms a pod takes to become ready
	p, err := cs.CoreV1().Pods(ns).Get(context.Background(), p.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := container(p); podReady(p) || st.Ready || st.State.Running == nil || p.Status.Phase != corev1.PodRunning {
		t.Errorf("pod ready %v, phase %s, container %s; want Running, a running container, never ready", podReady(p), p.Status.Phase, dump(st))
	}
}

func checkReadyAfter(delay time.Duration) func(*testing.T, *testcluster.Cluster, string) {
	return func(t *testing.T, c *testcluster.Cluster, ns string) {
		p := waitPod(t, c.Clientset(), ns, "app=app", "a ready pod", podReady)
		started := container(p).State.Running
		ready := podCondition(p, corev1.PodReady).LastTransitionTime
		if started == nil {
			t.Fatalf("container state %s; want running", dump(container(p).State))
		}
		// Condition times have a resolution of a second.
		if got := ready.Sub(started.StartedAt.Time); got < delay-time.Second {
			t.Errorf("pod became ready %s after its container started; want about %s", got, delay)
		}
	}
}

func checkUnschedulable(t *testing.T, c *testcluster.Cluster, ns string) {
	p := waitPod(t, c.Clientset(), ns, "app=app", "PodScheduled=False", func(p *corev1.Pod) bool {
		cond := podCondition(p, corev1.PodScheduled)
		return cond != nil && cond.Status == corev1.ConditionFalse
	})
	cond := podCondition(p, corev1.PodScheduled)
	if cond.Reason != corev1.PodReasonUnschedulable || !strings.Contains(cond.Message, "Insufficient cpu") {
		t.Errorf("PodScheduled condition %s; want reason Unschedulable, message about insufficient cpu", dump(cond))
	}
	if p.Spec.NodeName != "" || p.Status.Phase != corev1.PodPending {
		t.Errorf("pod on node %q in phase %s; want unscheduled and Pending", p.Spec.NodeName, p.Status.Phase)
	}
}

func TestContainerLogs(t *testing.T) {
	t.Parallel()
	c := testcluster.Require(t)
	ns, cs, ctx := c.Namespace(t), c.Clientset(), context.Background()

	d := deployment("logs", 1, podTemplate("logs", map[string]string{testcluster.AnnotationCrash: "1"}, image))
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := waitPod(t, cs, ns, "app=logs", "a restarted container", func(p *corev1.Pod) bool { return container(p).RestartCount >= 1 })
	for _, tc := range []struct {
		previous bool
		want     string
	}{
		{false, "listening on :8080"},
		{true, "fatal: exiting"},
	} {
		out, err := cs.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{Container: "app", Previous: tc.previous}).DoRaw(ctx)
		if err != nil {
			t.Fatalf("logs (previous=%v): %v", tc.previous, err)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("logs (previous=%v) = %q; want them to contain %q", tc.previous, out, tc.want)
		}
	}
}
