package apply

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
)

// DeleteAndWait deletes name (its dependents in the background, as kubectl
// does) and watches until it is gone.
func DeleteAndWait(ctx context.Context, ri dynamic.ResourceInterface, name string) error {
	return deleteAndWait(ctx, ri, name, metav1.DeletePropagationBackground)
}

// deleteForRecreate deletes name in the foreground, so that the object (a
// Job) is gone only once its dependents (its pods) are: a recreated Job's
// pods never run beside the old one's.
func deleteForRecreate(ctx context.Context, ri dynamic.ResourceInterface, name string) error {
	return deleteAndWait(ctx, ri, name, metav1.DeletePropagationForeground)
}

func deleteAndWait(ctx context.Context, ri dynamic.ResourceInterface, name string, policy metav1.DeletionPropagation) error {
	err := ri.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy})
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
	if err != nil {
		return err
	}
	w, err := ri.Watch(ctx, metav1.ListOptions{
		FieldSelector:   fields.OneTermEqualSelector("metadata.name", name).String(),
		ResourceVersion: live.GetResourceVersion(),
	})
	if err != nil {
		return err
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to be deleted: %w", name, ctx.Err())
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
