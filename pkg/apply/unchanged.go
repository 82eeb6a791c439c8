package apply

import (
	"bytes"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NoOp reports whether the dry run that returned r leaves the object
// exactly as it is: the same content, and the same fields owned by the
// same managers. Only such an apply may be left unsent (see
// Options.Unchanged): one that changes nothing but who owns a field still
// has to be sent, or a later removal of that field from the manifests
// would not remove it from the object.
func (r Result) NoOp() bool {
	if r.Action != Unchanged || r.Before == nil || r.Object == nil {
		return false
	}
	return sameOwners(r.Before.GetManagedFields(), r.Object.GetManagedFields())
}

// sameOwners reports whether a and b record the same managers owning the
// same fields, whenever they last wrote.
func sameOwners(a, b []metav1.ManagedFieldsEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Manager != y.Manager || x.Operation != y.Operation || x.APIVersion != y.APIVersion ||
			x.FieldsType != y.FieldsType || x.Subresource != y.Subresource || (x.FieldsV1 == nil) != (y.FieldsV1 == nil) {
			return false
		}
		if x.FieldsV1 != nil && !bytes.Equal(x.FieldsV1.Raw, y.FieldsV1.Raw) {
			return false
		}
	}
	return true
}
