package kube

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Retry says how long requests that failed for a passing reason (the API
// server restarting, overloaded, or behind a proxy that lost it) are
// retried. Which requests and failures qualify is decided per request: see
// the package documentation.
type Retry struct {
	// First is the longest wait after the first failure; the bound doubles
	// after each failure, up to Max. Each wait is drawn at random from the
	// upper half of its bound, so that a thousand requests that failed
	// together do not all come back together.
	First, Max time.Duration
	// Request bounds how long one request is retried, from its first
	// attempt.
	Request time.Duration
	// Outage bounds how long the client retries while the API server stays
	// unreachable: once no request has been answered for this long, a
	// failed request is not retried until one is answered again. A deploy
	// of a thousand objects thus gives up after Outage, not after a
	// thousand times Request. Requests made under Cleanup are exempt.
	Outage time.Duration
	// Warmup is how long after an outage a 401 or 403 is taken for an API
	// server that serves before its authenticator and authorizer have
	// loaded their tokens and RBAC rules (as a restarted one does), and
	// retried.
	Warmup time.Duration
}

// DefaultRetry is what kship uses unless Options.Retry says otherwise.
var DefaultRetry = Retry{First: 250 * time.Millisecond, Max: 4 * time.Second,
	Request: 30 * time.Second, Outage: 30 * time.Second, Warmup: 10 * time.Second}

// wait returns how long to wait after the n-th failed attempt (n >= 1).
func (r Retry) wait(n int) time.Duration {
	bound := r.First
	for i := 1; i < n && bound < r.Max; i++ {
		bound *= 2
	}
	bound = min(bound, r.Max)
	if bound <= 0 {
		return 0
	}
	half := bound / 2
	return half + rand.N(bound-half+1)
}

type cleanupKey struct{}

// Cleanup returns a context for the requests that leave the cluster tidy
// after a deploy gave up (freeing the deploy lock, recording the outcome):
// it is not cancelled with ctx, and its requests are retried for the full
// Retry.Request budget even when the client's Outage budget is spent, so
// that an API server that comes back in time ends with the lock free and
// the revision recorded.
func Cleanup(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), cleanupKey{}, true)
}

func isCleanup(ctx context.Context) bool {
	v, _ := ctx.Value(cleanupKey{}).(bool)
	return v
}

// outage remembers since when no request of one client has been answered,
// and when the API server last came back.
type outage struct {
	mu    sync.Mutex
	since time.Time // zero while the API server answers
	back  time.Time // the first answer after the last outage
}

// failed notes a failed attempt at now and returns when the outage began.
func (o *outage) failed(now time.Time) time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		o.since = now
	}
	return o.since
}

// answered notes that the API server answered at now, and returns when it
// came back from the last outage (zero if none was seen).
func (o *outage) answered(now time.Time) time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.since.IsZero() {
		o.since, o.back = time.Time{}, now
	}
	return o.back
}
