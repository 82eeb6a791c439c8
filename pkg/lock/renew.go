package lock

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Held is a lock this process holds; Release it when done.
type Held struct {
	client *kube.Client
	ns     string
	name   string
	holder string
	ttl    time.Duration
	// deadline is how long after the start of its last successful renewal
	// the holder may act: less than the lease duration, so that requests
	// still in flight at the deadline end before another deploy, which
	// waits for the whole duration, can take over.
	deadline time.Duration

	mu   sync.Mutex
	last time.Time // start of the last successful renewal, with its monotonic reading
	err  error     // why the lock was lost, once it was
	// lost is cancelled, with err as its cause, when the lock is lost.
	lost   context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer

	stop context.CancelFunc
	wg   sync.WaitGroup
}

func newHeld(client *kube.Client, ns, name, holder string, ttl time.Duration) *Held {
	h := &Held{client: client, ns: ns, name: name, holder: holder, ttl: ttl, deadline: ttl * 2 / 3}
	h.lost, h.cancel = context.WithCancelCause(context.Background())
	return h
}

// LostError says this process no longer holds the deploy lock, and why.
type LostError struct {
	Lease  string
	Reason string
}

func (e *LostError) Error() string {
	return fmt.Sprintf("lost the deploy lock (Lease %s): %s; this deploy stopped acting", e.Lease, e.Reason)
}

// renewed records a successful renewal whose request was sent at sent.
func (h *Held) renewed(sent time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return
	}
	h.last = sent
	if h.timer == nil {
		h.timer = time.AfterFunc(time.Until(sent.Add(h.deadline)), h.checkDeadline)
	} else {
		h.timer.Reset(time.Until(sent.Add(h.deadline)))
	}
}

func (h *Held) checkDeadline() {
	if err := h.Valid(); err != nil {
		h.lose(err)
	} else {
		// A renewal moved the deadline while the timer fired.
		h.mu.Lock()
		if h.timer != nil {
			h.timer.Reset(time.Until(h.last.Add(h.deadline)))
		}
		h.mu.Unlock()
	}
}

// lose records err as why the lock is lost, once.
func (h *Held) lose(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		h.err = err
		h.cancel(err)
	}
}

// Valid returns nil while this process may act under the lock: it was
// renewed within its deadline, by both the monotonic clock (which a paused
// process keeps counting) and the wall clock (which a suspended machine
// catches up on). Otherwise it returns a *LostError.
func (h *Held) Valid() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return h.err
	}
	mono := time.Since(h.last)
	wall := time.Now().Round(0).Sub(h.last.Round(0))
	if elapsed := max(mono, wall); elapsed >= h.deadline {
		h.err = &LostError{Lease: h.ns + "/" + h.name, Reason: fmt.Sprintf(
			"it was not renewed for %s, past its renew deadline of %s (the process was paused, or cut off from the API server); "+
				"another deploy may have taken over", elapsed.Round(100*time.Millisecond), h.deadline.Round(100*time.Millisecond))}
		h.cancel(h.err)
		return h.err
	}
	return nil
}

// Lost returns a context that is cancelled, with a *LostError as its cause,
// when the lock is lost.
func (h *Held) Lost() context.Context { return h.lost }

// start renews the lease every third of its duration until Release.
func (h *Held) start() {
	ctx, stop := context.WithCancel(context.Background())
	h.stop = stop
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		every := h.ttl / 3
		t := time.NewTimer(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-h.lost.Done():
				return
			case <-t.C:
			}
			if h.Valid() != nil {
				return
			}
			err := h.renewOnce(ctx)
			var lost *LostError
			if errors.As(err, &lost) {
				h.lose(err)
				return
			}
			// A failed renewal is tried again soon; the deadline decides
			// when the lock is lost.
			next := every
			if err != nil {
				next = every / 4
			}
			t.Reset(next)
		}
	}()
}

// renewOnce renews the lease, within what is left of the deadline.
func (h *Held) renewOnce(ctx context.Context) error {
	h.mu.Lock()
	left := time.Until(h.last.Add(h.deadline))
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, left)
	defer cancel()
	sent := time.Now()
	leases := h.client.Typed.CoordinationV1().Leases(h.ns)
	l, err := leases.Get(ctx, h.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return &LostError{Lease: h.ns + "/" + h.name, Reason: "the lease was deleted (by kship unlock, or by deleting the namespace)"}
	}
	if err != nil {
		return fmt.Errorf("renewing Lease/%s/%s: %w", h.ns, h.name, err)
	}
	if ptr.Deref(l.Spec.HolderIdentity, "") != h.holder {
		i := infoOf(l)
		return &LostError{Lease: h.ns + "/" + h.name, Reason: fmt.Sprintf("it was taken over by %s at %s", i.Holder, i.Acquired.Format(time.RFC3339))}
	}
	now := metav1.NewMicroTime(time.Now())
	l.Spec.RenewTime = &now
	if _, err := leases.Update(ctx, l, metav1.UpdateOptions{FieldManager: apply.FieldManager}); err != nil {
		return fmt.Errorf("renewing Lease/%s/%s: %w", h.ns, h.name, err)
	}
	h.renewed(sent)
	return nil
}

// Release stops renewing and frees the lock, if this process still holds it.
func (h *Held) Release(ctx context.Context) error {
	h.StopRenewing()
	h.lose(&LostError{Lease: h.ns + "/" + h.name, Reason: "it was released"})
	h.mu.Lock()
	if h.timer != nil {
		h.timer.Stop()
	}
	h.mu.Unlock()
	leases := h.client.Typed.CoordinationV1().Leases(h.ns)
	l, err := leases.Get(ctx, h.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if ptr.Deref(l.Spec.HolderIdentity, "") != h.holder {
		return nil
	}
	uid, rv := l.UID, l.ResourceVersion
	err = leases.Delete(ctx, h.name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// StopRenewing stops the renewals without releasing, as a paused process
// would; the deadline still passes. For tests of expiry and of the fence.
func (h *Held) StopRenewing() {
	if h.stop != nil {
		h.stop()
	}
	h.wg.Wait()
}
