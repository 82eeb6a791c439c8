package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
)

// lock takes the deploy lock and fences the runner's client with it: once
// the lock is lost (taken over, or not renewed within its deadline), no
// request of this deploy reaches the API server, and the returned context
// is cancelled with a *LockError.
func (r *runner) lock(ctx context.Context) (context.Context, func(), error) {
	lo := lock.Options{Holder: r.opts.By, Wait: r.opts.LockWait, TTL: r.opts.LockTTL}
	lo.OnWait = func(i lock.Info) { r.emit(event.Event{Type: event.LockWaiting, Holder: i.Holder, Since: i.Acquired}) }
	held, err := lock.Acquire(ctx, r.base, r.namespace, r.env, lo)
	if err != nil {
		return nil, nil, &LockError{Err: err}
	}
	fenced, err := held.Fence(r.base)
	if err != nil {
		_ = held.Release(context.WithoutCancel(ctx))
		return nil, nil, &LockError{Err: err}
	}
	r.held, r.client, r.inv = held, fenced, r.inv.With(fenced)
	ctx, cancel := context.WithCancelCause(ctx)
	holder := lo.Holder
	if holder == "" {
		holder = lock.DefaultHolder()
	}
	r.emit(event.Event{Type: event.LockAcquired, Holder: holder})
	stop := context.AfterFunc(held.Lost(), func() { cancel(&LockError{Err: context.Cause(held.Lost())}) })
	return ctx, func() {
		stop()
		cancel(nil)
		_ = held.Release(kube.Cleanup(ctx))
	}, nil
}

// lost returns a *LockError when the deploy lock is lost, judged now (the
// context's cancellation comes a moment later).
func (r *runner) lost(ctx context.Context) error {
	if err := lockLost(ctx); err != nil {
		return err
	}
	if r.held != nil {
		if err := r.held.Valid(); err != nil {
			return &LockError{Err: err}
		}
	}
	return nil
}

// lockLost returns the LockError when ctx was cancelled because the deploy
// lock was lost.
func lockLost(ctx context.Context) error {
	var le *LockError
	if errors.As(context.Cause(ctx), &le) {
		return le
	}
	return nil
}

// lostLock replaces err by the lost lock when that is what stopped the
// deploy, saying what happened meanwhile: which deploys the inventory
// records since this one began, read through the unfenced client.
func (r *runner) lostLock(ctx context.Context, err error) error {
	lost := lockLost(ctx)
	if lost == nil {
		var le *lock.LostError
		if !errors.As(err, &le) {
			return err
		}
		lost = &LockError{Err: le}
	}
	// Emitted here, on the deploy's goroutine, once its steps have stopped.
	r.emit(event.Event{Type: event.LockLost, Error: lost.(*LockError).Err.Error()})
	state, lerr := inventory.New(r.base, r.env, r.namespace).Load(context.WithoutCancel(ctx))
	if lerr != nil || r.res.Revision == 0 {
		return lost
	}
	var since []string
	for _, h := range state.History {
		if h.Revision > r.res.Revision || (h.Revision == r.res.Revision && h.By != r.opts.By) {
			since = append(since, fmt.Sprintf("revision %d by %s (%s)", h.Revision, h.By, h.Outcome))
		}
	}
	if len(since) == 0 {
		return lost
	}
	return &LockError{Err: fmt.Errorf("%w; meanwhile the environment was deployed: %s. Re-run this deploy if it is still wanted", lost.(*LockError).Err, strings.Join(since, ", "))}
}
