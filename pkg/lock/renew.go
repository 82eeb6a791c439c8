package lock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kship/kship/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// renew keeps the lease fresh every third of its TTL until Release.
func (h *Held) renew(ctx context.Context, ttl time.Duration) {
	ctx, h.stop = context.WithCancel(context.WithoutCancel(ctx))
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		renewed := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				err := h.touch(ctx)
				if err == nil {
					renewed = time.Now()
					continue
				}
				// A failed renewal is retried; the lock is lost when another
				// deploy holds it, or when the lease has run out meanwhile.
				if errors.Is(err, errTakenOver) || time.Since(renewed) > ttl {
					select {
					case h.lost <- err:
					default:
					}
					return
				}
			}
		}
	}()
}

// errTakenOver is wrapped by touch when the lease is no longer this
// process's.
var errTakenOver = errors.New("the deploy lock was taken over")

func (h *Held) touch(ctx context.Context) error {
	leases := h.client.Typed.CoordinationV1().Leases(h.ns)
	l, err := leases.Get(ctx, h.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("Lease/%s/%s was deleted (kship unlock?): %w", h.ns, h.name, errTakenOver)
	}
	if err != nil {
		return fmt.Errorf("renewing Lease/%s/%s: %w", h.ns, h.name, err)
	}
	if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != h.holder {
		return fmt.Errorf("Lease/%s/%s is now held by %v: %w", h.ns, h.name, infoOf(l).Holder, errTakenOver)
	}
	now := metav1.NewMicroTime(time.Now())
	l.Spec.RenewTime = &now
	_, err = leases.Update(ctx, l, metav1.UpdateOptions{FieldManager: "kship"})
	return err
}

// Lost returns a channel that receives an error when the lock is lost:
// another deploy took it, or it could not be renewed before it expired.
func (h *Held) Lost() <-chan error { return h.lost }

// Release stops renewing and frees the lock, if this process still holds it.
func (h *Held) Release(ctx context.Context) error {
	h.StopRenewing()
	leases := h.client.Typed.CoordinationV1().Leases(h.ns)
	l, err := leases.Get(ctx, h.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != h.holder {
		return nil
	}
	uid, rv := l.UID, l.ResourceVersion
	err = leases.Delete(ctx, h.name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// Current returns who holds env's lock, or nil when nobody does.
func Current(ctx context.Context, client *kube.Client, ns, env string) (*Info, error) {
	l, err := client.Typed.CoordinationV1().Leases(ns).Get(ctx, Name(env), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	i := infoOf(l)
	return &i, nil
}

// Break deletes env's lock whoever holds it, for `kship unlock`.
func Break(ctx context.Context, client *kube.Client, ns, env string) (*Info, error) {
	info, err := Current(ctx, client, ns, env)
	if err != nil || info == nil {
		return info, err
	}
	err = client.Typed.CoordinationV1().Leases(ns).Delete(ctx, Name(env), metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return info, err
}

// StopRenewing stops the renewals without releasing, as a crash would; for
// tests of expiry.
func (h *Held) StopRenewing() {
	if h.stop != nil {
		h.stop()
	}
	h.wg.Wait()
}
