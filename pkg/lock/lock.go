// Package lock serialises deploys of one environment with a
// coordination.k8s.io Lease: a deploy holds it, renews it while it runs and
// releases it at the end; a second deploy waits, then fails naming the
// holder. A holder that crashed stops renewing, and its lease expires, so
// nothing can wedge the way Helm's pending-upgrade does.
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
	"sync"
	"time"

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
	Holder   string
	Acquired time.Time
	Renewed  time.Time
	TTL      time.Duration
}

// Expired reports whether the holder stopped renewing.
func (i Info) Expired(now time.Time) bool { return i.Renewed.Add(i.TTL).Before(now) }

// HeldError says the lock is held by someone else.
type HeldError struct {
	Env  string
	Info Info
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("environment %q is being deployed by %s (since %s, lease renewed %s): wait for it, raise --lock-timeout, "+
		"or if that deploy is gone, its lease expires by itself within %s (kship unlock %s forces it)",
		e.Env, e.Info.Holder, e.Info.Acquired.Format(time.RFC3339), e.Info.Renewed.Format(time.RFC3339), e.Info.TTL, e.Env)
}

// Held is a lock this process holds; Release it when done.
type Held struct {
	client *kube.Client
	ns     string
	name   string
	holder string
	stop   context.CancelFunc
	wg     sync.WaitGroup
	lost   chan error
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

// Acquire takes env's lock in namespace ns, waiting up to opts.Wait.
func Acquire(ctx context.Context, client *kube.Client, ns, env string, opts Options) (*Held, error) {
	switch {
	case opts.TTL == 0:
		opts.TTL = DefaultTTL
	case opts.TTL < time.Second:
		opts.TTL = time.Second // leases count whole seconds
	}
	if opts.Holder == "" {
		opts.Holder = DefaultHolder()
	}
	// The token tells two deploys with the same holder name apart (parallel
	// steps of one CI job): the lease is re-entrant only for this process.
	h := &Held{client: client, ns: ns, name: Name(env), holder: opts.Holder + tokenSep + token(), lost: make(chan error, 1)}
	deadline := time.Now().Add(opts.Wait)
	told := false
	for {
		info, err := h.try(ctx, opts.TTL)
		if err == nil {
			h.renew(ctx, opts.TTL)
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

// try takes the lease if it is free or expired.
func (h *Held) try(ctx context.Context, ttl time.Duration) (Info, error) {
	leases := h.client.Typed.CoordinationV1().Leases(h.ns)
	now := metav1.NewMicroTime(time.Now())
	l, err := leases.Get(ctx, h.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		l = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: h.name, Namespace: h.ns,
			Labels: map[string]string{"app.kubernetes.io/managed-by": "kship"}}}
		h.fill(l, now, ttl)
		if _, err := leases.Create(ctx, l, metav1.CreateOptions{FieldManager: "kship"}); err != nil {
			if apierrors.IsAlreadyExists(err) {
				return Info{Holder: "another deploy", Acquired: time.Now()}, &HeldError{Info: Info{Holder: "another deploy", Acquired: time.Now()}}
			}
			return Info{}, fmt.Errorf("creating Lease/%s/%s: %w", h.ns, h.name, err)
		}
		return Info{}, nil
	}
	if err != nil {
		return Info{}, fmt.Errorf("reading Lease/%s/%s: %w", h.ns, h.name, err)
	}
	info := infoOf(l)
	if raw := ptr.Deref(l.Spec.HolderIdentity, ""); raw != "" && raw != h.holder && !info.Expired(time.Now()) {
		return info, &HeldError{Info: info}
	}
	h.fill(l, now, ttl)
	if _, err := leases.Update(ctx, l, metav1.UpdateOptions{FieldManager: "kship"}); err != nil {
		if apierrors.IsConflict(err) {
			return info, &HeldError{Info: info}
		}
		return Info{}, fmt.Errorf("taking Lease/%s/%s: %w", h.ns, h.name, err)
	}
	return Info{}, nil
}

func (h *Held) fill(l *coordinationv1.Lease, now metav1.MicroTime, ttl time.Duration) {
	l.Spec.HolderIdentity = ptr.To(h.holder)
	l.Spec.LeaseDurationSeconds = ptr.To(int32(ttl.Seconds()))
	l.Spec.AcquireTime = &now
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
