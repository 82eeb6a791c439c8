package kube

import (
	"errors"
	"fmt"
	"time"
)

// ErrGaveUp is wrapped by an UnavailableError when kship stopped retrying
// because the retry budget (Retry.Request or Retry.Outage) was spent.
var ErrGaveUp = errors.New("retry budget spent")

// ErrNotIdempotent is wrapped by an UnavailableError for a request that was
// not retried because it may have taken effect (a create or update whose
// connection broke after it was sent).
var ErrNotIdempotent = errors.New("not idempotent")

// UnavailableError says that a request failed because the API server could
// not be reached or dropped the connection, and kship stopped retrying.
//
// It unwraps to why kship stopped (ErrGaveUp, ErrNotIdempotent, or the
// context's error), not to the network error: client-go retries some of
// those itself (a GET whose connection was reset, ten times), and would
// multiply the retries kship already made.
type UnavailableError struct {
	// Server is the API server's URL.
	Server string
	// Reason says what the API server did: "refused connections".
	Reason string
	// Detail is the network error, when it reads the same for every
	// request ("dial tcp 127.0.0.1:6443: connect: connection refused").
	Detail string
	// Method is the request's HTTP method.
	Method string
	// Attempts is how many times the request was sent, Elapsed how long
	// that took.
	Attempts int
	Elapsed  time.Duration
	// Err is why kship stopped.
	Err error
}

// Cause is what the requests that failed for the same reason have in
// common: which server did what, without the attempts.
func (e *UnavailableError) Cause() string {
	s := fmt.Sprintf("the API server at %s %s", e.Server, e.Reason)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

func (e *UnavailableError) Error() string {
	took := e.Elapsed.Round(100 * time.Millisecond)
	switch {
	case errors.Is(e.Err, ErrNotIdempotent):
		return fmt.Sprintf("%s; not retried: the %s may have taken effect before the connection broke", e.Cause(), e.Method)
	case errors.Is(e.Err, ErrGaveUp) && e.Attempts == 1:
		return e.Cause() + "; not retried: it has not answered any request for longer than kship retries"
	case errors.Is(e.Err, ErrGaveUp):
		return fmt.Sprintf("%s; gave up after %d attempts in %s", e.Cause(), e.Attempts, took)
	}
	return fmt.Sprintf("%s; stopped after %d attempt%s in %s: %v", e.Cause(), e.Attempts, plural(e.Attempts), took, e.Err)
}

// Unwrap returns why kship stopped retrying.
func (e *UnavailableError) Unwrap() error { return e.Err }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
