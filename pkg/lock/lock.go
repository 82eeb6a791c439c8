// Package lock serialises deploys of one environment with a
// coordination.k8s.io Lease: a deploy holds it, renews it while it runs and
// releases it at the end; a second deploy waits, then fails naming the
// holder. A holder that crashed stops renewing, and its lease expires, so
// nothing can wedge the way Helm's pending-upgrade does.
//
// The lock is a fence, not a courtesy. A holder that has not renewed within
// its renew deadline (two thirds of the lease duration), by its own clock,
// stops acting: Held.Fence cuts every request of the client it wraps, those
// in flight included, so a deploy that was paused (a suspended CI VM, Ctrl-Z,
// a network partition) cannot write over the deploy that took over. Another
// deploy judges the lease expired as client-go's leader election does: only
// once it has itself watched the lease go unrenewed for the whole lease
// duration, so a holder whose clock runs behind is not taken over early.
package lock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Name returns the name of env's Lease.
func Name(env string) string { return "kship-lock-" + env }

// DefaultTTL is how long a lease lives without renewal.
const DefaultTTL = 30 * time.Second

// Options says how to take the lock.
type Options struct {
	// Holder identifies this deploy, e.g. the CI job URL.
	Holder string
	// TTL is the lease duration; 0 means DefaultTTL.
	TTL time.Duration
	// Wait is how long to wait for another holder; 0 means do not wait.
	Wait time.Duration
	// OnWait, when set, is called once when the lock is held by another.
	OnWait func(Info)
}

// Info describes a held lease.
type Info struct {
	Holder   string        `json:"holder"`
	Acquired time.Time     `json:"acquired"`
	Renewed  time.Time     `json:"renewed"`
	TTL      time.Duration `json:"ttlNanos"`
}

// Expired reports whether, by the clock that reads now, the holder has not
// renewed within the lease duration. Only for display: deciding to take a
// lease over must not trust another machine's clock (see Acquire).
func (i Info) Expired(now time.Time) bool { return i.Renewed.Add(i.TTL).Before(now) }

// HeldError says the lock is held by someone else.
type HeldError struct {
	Env  string
	Info Info
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("environment %q is being deployed by %s (since %s, lease renewed %s): wait for it, raise --lock-timeout, "+
		"or if that deploy is gone, its lease expires by itself %s after its last renewal (kship unlock %s forces it)",
		e.Env, e.Info.Holder, e.Info.Acquired.Format(time.RFC3339), e.Info.Renewed.Format(time.RFC3339), e.Info.TTL, e.Env)
}

// DefaultHolder names this process: the CI job's URL when there is one,
// else user@host (pid).
func DefaultHolder() string {
	for _, v := range []string{"CIRCLE_BUILD_URL", "GITHUB_RUN_URL", "BUILD_URL", "CI_JOB_URL"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	host, _ := os.Hostname()
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return fmt.Sprintf("%s@%s (pid %d)", name, host, os.Getpid())
}

// Acquire takes env's lock in namespace ns, waiting up to opts.Wait. The
// lease of another holder is taken over only once this process has seen it
// go unrenewed for its whole duration.
func Acquire(ctx context.Context, client *kube.Client, ns, env string, opts Options) (*Held, error) {
	switch {
	case opts.TTL == 0:
		opts.TTL = DefaultTTL
	case opts.TTL < 3*time.Second:
		opts.TTL = 3 * time.Second // leases count whole seconds; renewals need room
	}
	if opts.Holder == "" {
		opts.Holder = DefaultHolder()
	}
	// The token tells two deploys with the same holder name apart (parallel
	// steps of one CI job): the lease is re-entrant only for this process.
	h := newHeld(client, ns, Name(env), opts.Holder+tokenSep+token(), opts.TTL)
	deadline := time.Now().Add(opts.Wait)
	var seen observation
	told := false
	for {
		info, err := h.try(ctx, &seen)
		if err == nil {
			h.start()
			return h, nil
		}
		if ctx.Err() != nil {
			// The request may have reached the server before the cancel:
			// do not leave a lease behind that nobody renews or frees.
			_ = h.Release(context.WithoutCancel(ctx))
			return nil, err
		}
		var held *HeldError
		if !errors.As(err, &held) {
			return nil, err
		}
		held.Env = env
		if !time.Now().Before(deadline) {
			return nil, held
		}
		if !told && opts.OnWait != nil {
			opts.OnWait(info)
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(time.Second, time.Until(deadline))):
		}
	}
}

// observation is what this process last saw of another holder's lease,
// and when by its own monotonic clock.
type observation struct {
	record string
	at     time.Time
}

// expired reports whether l has stayed unchanged for its whole duration
// since this process first saw it as it is now.
func (o *observation) expired(l *coordinationv1.Lease) bool {
	record := fmt.Sprintf("%s|%v|%v|%d", ptr.Deref(l.Spec.HolderIdentity, ""), l.Spec.RenewTime, l.Spec.AcquireTime, ptr.Deref(l.Spec.LeaseDurationSeconds, 0))
	if record != o.record {
		o.record, o.at = record, time.Now()
		return false
	}
	ttl := time.Duration(ptr.Deref(l.Spec.LeaseDurationSeconds, 0)) * time.Second
	return time.Since(o.at) > ttl
}

// try takes the lease if it is free, this process's, or seen expired.
func (h *Held) try(ctx context.Context, seen *observation) (Info, error) {
	leases := h.client.Typed.CoordinationV1().Leases(h.ns)
	sent := time.Now()
	l, err := leases.Get(ctx, h.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		l = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: h.name, Namespace: h.ns,
			Labels: map[string]string{"app.kubernetes.io/managed-by": "kship"}}}
		h.fill(l, true)
		if _, err := leases.Create(ctx, l, metav1.CreateOptions{FieldManager: apply.FieldManager}); err != nil {
			if apierrors.IsAlreadyExists(err) {
				info := Info{Holder: "another deploy", Acquired: time.Now(), TTL: h.ttl}
				return info, &HeldError{Info: info}
			}
			return Info{}, fmt.Errorf("creating Lease/%s/%s: %w", h.ns, h.name, err)
		}
		h.renewed(sent)
		return Info{}, nil
	}
	if err != nil {
		return Info{}, fmt.Errorf("reading Lease/%s/%s: %w", h.ns, h.name, err)
	}
	info := infoOf(l)
	raw := ptr.Deref(l.Spec.HolderIdentity, "")
	if raw != "" && raw != h.holder && !seen.expired(l) {
		return info, &HeldError{Info: info}
	}
	h.fill(l, raw != h.holder)
	if _, err := leases.Update(ctx, l, metav1.UpdateOptions{FieldManager: apply.FieldManager}); err != nil {
		if apierrors.IsConflict(err) {
			return info, &HeldError{Info: info}
		}
		return Info{}, fmt.Errorf("taking Lease/%s/%s: %w", h.ns, h.name, err)
	}
	h.renewed(sent)
	return Info{}, nil
}

// fill makes l this process's, renewed now (and acquired now, if new).
func (h *Held) fill(l *coordinationv1.Lease, acquire bool) {
	now := metav1.NewMicroTime(time.Now())
	l.Spec.HolderIdentity = ptr.To(h.holder)
	l.Spec.LeaseDurationSeconds = ptr.To(int32(h.ttl.Seconds()))
	if acquire || l.Spec.AcquireTime == nil {
		l.Spec.AcquireTime = &now
	}
	l.Spec.RenewTime = &now
}

// tokenSep separates the holder's name from this process's token in the
// lease's holderIdentity.
const tokenSep = " #"

func token() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func infoOf(l *coordinationv1.Lease) Info {
	var i Info
	if l.Spec.HolderIdentity != nil {
		i.Holder, _, _ = strings.Cut(*l.Spec.HolderIdentity, tokenSep)
	}
	if l.Spec.AcquireTime != nil {
		i.Acquired = l.Spec.AcquireTime.Time
	}
	if l.Spec.RenewTime != nil {
		i.Renewed = l.Spec.RenewTime.Time
	}
	if l.Spec.LeaseDurationSeconds != nil {
		i.TTL = time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second
	}
	return i
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
