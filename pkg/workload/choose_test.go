package workload

import (
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/pkg/object"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pod(name string, created, ready time.Duration, restarts int32) corev1.Pod {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(base.Add(created))},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "c", RestartCount: restarts}}}}
	if ready >= 0 {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(base.Add(ready))}}
	}
	return p
}

func TestChoose(t *testing.T) {
	ws := []Workload{{Ref: object.Ref{Group: "apps", Kind: "Deployment", Namespace: "ns", Name: "api"}}}
	tests := []struct {
		name string
		pods []corev1.Pod
		want string
	}{
		{"only ready pods count", []corev1.Pod{pod("a", 0, -1, 0), pod("b", time.Minute, 2*time.Minute, 0)}, "b"},
		{"ready the longest", []corev1.Pod{pod("a", 0, 5*time.Minute, 0), pod("b", time.Minute, 2*time.Minute, 0)}, "b"},
		{"then fewer restarts", []corev1.Pod{pod("a", 0, time.Minute, 3), pod("b", time.Second, time.Minute, 0)}, "b"},
		{"then the oldest", []corev1.Pod{pod("b", time.Second, time.Minute, 0), pod("a", 0, time.Minute, 0)}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Choose(ws, tt.pods)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tt.want {
				t.Errorf("Choose = %s, want %s", got.Name, tt.want)
			}
		})
	}
	_, err := Choose(ws, []corev1.Pod{pod("a", 0, -1, 0)})
	if err == nil || !strings.Contains(err.Error(), "Deployment/ns/api has no ready pod: a is running, not ready") {
		t.Errorf("no ready pod: %v", err)
	}
}
