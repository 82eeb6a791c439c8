package apply

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestNoOp: a dry run is a no-op only when it changes neither the object
// nor who owns its fields; a later write time alone is no change.
func TestNoOp(t *testing.T) {
	obj := func(fields string, at int64) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}
		u.SetName("settings")
		u.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: FieldManager, Operation: metav1.ManagedFieldsOperationApply,
			APIVersion: "v1", FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}, Time: &metav1.Time{Time: metav1.Unix(at, 0).Time}}})
		return u
	}
	const owns = `{"f:data":{"f:LEVEL":{}}}`
	for name, tc := range map[string]struct {
		r    Result
		want bool
	}{
		"same owners":           {Result{Action: Unchanged, Before: obj(owns, 1), Object: obj(owns, 1)}, true},
		"only the time differs": {Result{Action: Unchanged, Before: obj(owns, 1), Object: obj(owns, 2)}, true},
		"takes a field":         {Result{Action: Unchanged, Before: obj(owns, 1), Object: obj(`{"f:data":{"f:LEVEL":{},"f:MODE":{}}}`, 1)}, false},
		"configured":            {Result{Action: Configured, Before: obj(owns, 1), Object: obj(owns, 1)}, false},
		"created":               {Result{Action: Unchanged, Object: obj(owns, 1)}, false},
	} {
		if got := tc.r.NoOp(); got != tc.want {
			t.Errorf("%s: NoOp = %v, want %v", name, got, tc.want)
		}
	}
}
