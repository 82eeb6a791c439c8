package podlogs

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func runningPod(name string, containers ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{"app": "web"}}}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}})
	}
	return p
}

// TestStreamPrefixesEveryLine reads, in pod order, every started container
// of the pods that match, each line whole and prefixed; a pod that has not
// started, and one that does not match, are left out. (The fake client's
// logs are the text "fake logs", with no newline.)
func TestStreamPrefixesEveryLine(t *testing.T) {
	waiting := runningPod("web-c", "api")
	waiting.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	other := runningPod("other", "api")
	other.Labels = nil
	cs := fake.NewSimpleClientset(runningPod("web-b", "api", "talker"), runningPod("web-a", "api"), waiting, other)
	match := func(p *corev1.Pod) bool { return p.Labels["app"] == "web" }
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"all containers", Options{}, "pod/web-a api fake logs\npod/web-b api fake logs\npod/web-b talker fake logs\n"},
		{"one container", Options{Container: "talker"}, "pod/web-b talker fake logs\n"},
		{"own prefix", Options{Container: "talker", Prefix: func(p, c string) string { return p + "|" + c + "| " }}, "web-b|talker| fake logs\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.opts.Out, tt.opts.Tail = &out, -1
			if err := Stream(context.Background(), cs, "ns", match, tt.opts); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
