package workload

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/object"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestFind picks workloads among an inventory's members by name or
// KIND/NAME, reads their selectors to find their pods, and names the
// workloads there are when asked for one that is not.
func TestFind(t *testing.T) {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}}
	cs := fake.NewSimpleClientset(
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "ns"}, Spec: appsv1.DeploymentSpec{Selector: sel}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "api-1", Namespace: "ns", Labels: map[string]string{"app": "api"}}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "db-1", Namespace: "ns", Labels: map[string]string{"app": "db"}}},
	)
	members := []inventory.Member{
		{Ref: object.Ref{Kind: "ConfigMap", Namespace: "ns", Name: "api"}},
		{Ref: object.Ref{Group: "apps", Kind: "Deployment", Namespace: "ns", Name: "api"}},
	}
	for _, name := range []string{"", "api", "deployment/api", "Deployment/api"} {
		ws, err := Find(context.Background(), cs, "stage", members, name)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		pods, err := Pods(context.Background(), cs, ws)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range pods {
			got = append(got, p.Name)
		}
		if diff := cmp.Diff([]string{"api-1"}, got); diff != "" {
			t.Errorf("%q: pods (-want +got):\n%s", name, diff)
		}
	}
	_, err := Find(context.Background(), cs, "stage", members, "apy")
	var unknown *UnknownError
	if !errors.As(err, &unknown) || err.Error() != `no workload "apy" in stage: its workloads are Deployment/api; give one of them` {
		t.Errorf("unknown workload: %v", err)
	}
}
