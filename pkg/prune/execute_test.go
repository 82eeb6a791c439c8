package prune_test

import (
	"context"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/prune"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A member that changed after it was listed is pruned when it is still the
// same object of the same set (a controller wrote to it), and left alone
// when another set took it over.
func TestExecuteRechecksChangedMembers(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	k, err := kube.New(kube.Options{Kubeconfig: c.Kubeconfig(), Context: c.Context()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cms := c.Clientset().CoreV1().ConfigMaps(ns)
	listed := func(name string) inventory.Member {
		cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
			Name: name, Labels: map[string]string{inventory.LabelPartOf: "applyset-ours-v1"},
		}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return inventory.Member{
			Ref:             object.Ref{Kind: "ConfigMap", Namespace: ns, Name: name},
			Resource:        corev1.SchemeGroupVersion.WithResource("configmaps"),
			UID:             string(cm.UID),
			ResourceVersion: cm.ResourceVersion,
			PartOf:          "applyset-ours-v1",
		}
	}
	touched, taken := listed("touched"), listed("taken")
	update := func(name string, change func(*corev1.ConfigMap)) {
		cm, err := cms.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		change(cm)
		if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	update("touched", func(cm *corev1.ConfigMap) { cm.Annotations = map[string]string{"controller/seen": "yes"} })
	update("taken", func(cm *corev1.ConfigMap) { cm.Labels[inventory.LabelPartOf] = "applyset-theirs-v1" })

	out, err := prune.Execute(ctx, k, &prune.Plan{Delete: []inventory.Member{touched, taken}, Members: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 1 || out.Deleted[0] != touched.Ref {
		t.Errorf("deleted %v, want only %s", out.Deleted, touched.Ref)
	}
	if len(out.Skipped) != 1 || out.Skipped[0].Ref != taken.Ref {
		t.Errorf("skipped %v, want only %s", out.Skipped, taken.Ref)
	}
	if _, err := cms.Get(ctx, "touched", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("touched: %v, want it gone", err)
	}
	if _, err := cms.Get(ctx, "taken", metav1.GetOptions{}); err != nil {
		t.Errorf("taken: %v, want it kept", err)
	}
}
