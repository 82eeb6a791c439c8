package apply

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// handoverManager is the field manager that holds spec.replicas for a
// moment while kship lets go of it: the step Kubernetes documents for
// handing a field over to a controller without a reset to the default.
const handoverManager = "kship-handover"

// leaveReplicas returns t without spec.replicas, for a workload that exists
// and that an autoscaler (scaler) scales: the autoscaler owns the count, and
// applying the manifest's value would fight it or, with --force-conflicts,
// undo its scaling.
//
// When kship's earlier applies still own spec.replicas, dropping the field
// would make the API server reset it to the default (1). Kubernetes'
// documented way out: first apply the live count under another manager,
// then apply without the field; the autoscaler's next scale takes it from
// there. A dry run cannot do the first step, so it applies the live count
// instead, which shows the same outcome.
func (a *Applier) leaveReplicas(ctx context.Context, t target, before priorObject, scaler string) (target, error) {
	if _, ok, _ := unstructured.NestedFieldNoCopy(t.obj.Object, "spec", "replicas"); !ok && !before.ownsReplicas {
		return t, nil
	}
	t.obj = t.obj.DeepCopy()
	if !before.ownsReplicas {
		unstructured.RemoveNestedField(t.obj.Object, "spec", "replicas")
		return t, nil
	}
	live, err := t.ri.Get(ctx, t.ref.Name, metav1.GetOptions{})
	if err != nil {
		return t, fmt.Errorf("reading the replica count that %s set: %w", scaler, err)
	}
	count, ok, _ := unstructured.NestedFieldNoCopy(live.Object, "spec", "replicas")
	if !ok {
		unstructured.RemoveNestedField(t.obj.Object, "spec", "replicas")
		return t, nil
	}
	if a.opts.DryRun {
		_ = unstructured.SetNestedField(t.obj.Object, count, "spec", "replicas")
		return t, nil
	}
	handover := &unstructured.Unstructured{}
	handover.SetAPIVersion(t.obj.GetAPIVersion())
	handover.SetKind(t.obj.GetKind())
	handover.SetName(t.ref.Name)
	handover.SetNamespace(t.obj.GetNamespace())
	_ = unstructured.SetNestedField(handover.Object, count, "spec", "replicas")
	if _, err := t.ri.Apply(ctx, t.ref.Name, handover, metav1.ApplyOptions{FieldManager: handoverManager}); err != nil {
		// The autoscaler scaled meanwhile: it owns the count now, and kship
		// can let go without a handover.
		if !errors.As(classify(err), new(*ConflictError)) {
			return t, fmt.Errorf("handing spec.replicas over to %s: %w", scaler, classify(err))
		}
	}
	unstructured.RemoveNestedField(t.obj.Object, "spec", "replicas")
	return t, nil
}
