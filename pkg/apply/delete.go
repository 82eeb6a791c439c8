package apply

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
)

// ErrStillThere is wrapped by DeleteAndWait when ctx ends while the
// object, its deletion accepted, still exists (a finalizer holds it).
var ErrStillThere = errors.New("still being deleted")

// ChangedError says a conditional delete found the object changed.
type ChangedError struct{ Err error }

func (e *ChangedError) Error() string { return "changed since it was read: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ChangedError) Unwrap() error { return e.Err }

// DeleteAndWait deletes name (its dependents in the background, as kubectl
// does), if it still matches pre (when not nil), and watches until it is
// gone. A deletion refused by pre is a *ChangedError.
func DeleteAndWait(ctx context.Context, ri dynamic.ResourceInterface, name string, pre *metav1.Preconditions) error {
	return deleteAndWait(ctx, ri, name, metav1.DeletePropagationBackground, pre)
}

// deleteForRecreate deletes name in the foreground, so that the object (a
// Job) is gone only once its dependents (its pods) are: a recreated Job's
// pods never run beside the old one's.
func deleteForRecreate(ctx context.Context, ri dynamic.ResourceInterface, name string) error {
	return deleteAndWait(ctx, ri, name, metav1.DeletePropagationForeground, nil)
}

func deleteAndWait(ctx context.Context, ri dynamic.ResourceInterface, name string, policy metav1.DeletionPropagation, pre *metav1.Preconditions) error {
	err := ri.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy, Preconditions: pre})
	if apierrors.IsConflict(err) && pre != nil {
		return &ChangedError{Err: err}
	}
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete: %w", err)
	}
	return waitGone(ctx, ri, name)
}

func waitGone(ctx context.Context, ri dynamic.ResourceInterface, name string) error {
	live, err := ri.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("waiting for %s to be deleted: %w (%w)", name, ErrStillThere, ctx.Err())
	}
	if err != nil {
		return err
	}
	w, err := ri.Watch(ctx, metav1.ListOptions{
		FieldSelector:   fields.OneTermEqualSelector("metadata.name", name).String(),
		ResourceVersion: live.GetResourceVersion(),
	})
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("waiting for %s to be deleted: %w (%w)", name, ErrStillThere, ctx.Err())
	}
	if err != nil {
		return err
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to be deleted: %w (%w)", name, ErrStillThere, ctx.Err())
		case ev, ok := <-w.ResultChan():
			if !ok {
				return waitGone(ctx, ri, name) // the watch closed; look again
			}
			if ev.Type == watch.Deleted {
				return nil
			}
			if ev.Type == watch.Error {
				return fmt.Errorf("watching %s: %v", name, apierrors.FromObject(ev.Object))
			}
			if u, ok := ev.Object.(*unstructured.Unstructured); ok && u.GetUID() != live.GetUID() {
				return nil // already replaced by a new object
			}
		}
	}
}
