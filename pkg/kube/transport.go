package kube

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"
)

// retrier is an http.RoundTripper that retries requests that failed for a
// passing reason, below client-go's rest client (see statusFailure for how
// the two share the work).
type retrier struct {
	next   http.RoundTripper
	server string
	policy Retry
	outage *outage
}

// wrapper returns a WrapTransport function whose round trippers share the
// outage clock o: the dynamic, metadata, typed and discovery clients of one
// Client judge the same API server.
func wrapper(server string, policy Retry, o *outage) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return &retrier{next: next, server: server, policy: policy, outage: o}
	}
}

// RoundTrip sends req, and again after a jittered, growing wait while it
// fails for a passing reason, it is safe to resend, and the budget lasts.
func (r *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	var last *failure // the previous attempt's, once one failed
	for attempt := 1; ; attempt++ {
		resp, err := r.next.RoundTrip(req)
		if err == nil && !streams(req, resp) {
			// A server that dies while it answers breaks the body, not the
			// request: read it here, where that can be retried too.
			resp, err = buffered(resp)
		}
		f, until, failed := r.classify(resp, err)
		if !failed && last != nil && err != nil && req.Context().Err() != nil {
			// The context ended during a retry: what failed before is why.
			return r.stop(req, nil, *last, attempt, start, req.Context().Err())
		}
		if !failed {
			return resp, err
		}
		last = &f
		if !f.unsent && !idempotent(req) {
			return r.stop(req, resp, f, attempt, start, ErrNotIdempotent)
		}
		next, ok := rewind(req)
		if !ok {
			return resp, err
		}
		wait := r.policy.wait(attempt)
		if time.Now().Add(wait).After(r.deadline(req, f, start, until)) {
			return r.stop(req, resp, f, attempt, start, ErrGaveUp)
		}
		discard(resp)
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return r.stop(req, nil, f, attempt, start, req.Context().Err())
		case <-timer.C:
		}
		req = next
	}
}

// classify says whether an attempt failed for a passing reason, and until
// when the client's budget allows retrying it: the outage's end for a
// failure to reach the server, the warm-up's for a 401 or 403 from a
// server that just came back. Any other answer ends an outage.
func (r *retrier) classify(resp *http.Response, err error) (failure, time.Time, bool) {
	now := time.Now()
	f, failed := failure{}, false
	switch {
	case err != nil:
		f, failed = transportFailure(err)
	case resp != nil:
		f, failed = statusFailure(resp)
	}
	if failed {
		return f, r.outage.failed(now).Add(r.policy.Outage), true
	}
	if resp == nil {
		return f, now, false
	}
	back := r.outage.answered(now)
	if f, ok := authFailure(resp); ok && !back.IsZero() && now.Before(back.Add(r.policy.Warmup)) {
		return f, back.Add(r.policy.Warmup), true
	}
	return f, now, false
}

// deadline is when retrying req must stop: its own budget, and the
// client's (clientUntil), which requests made under Cleanup ignore for an
// unreachable server (they are what tidies up after it) but not for one
// warming up.
func (r *retrier) deadline(req *http.Request, f failure, start, clientUntil time.Time) time.Time {
	d := start.Add(r.policy.Request)
	if isCleanup(req.Context()) && !f.warmup {
		return d
	}
	return minTime(d, clientUntil)
}

// stop ends the retries: a failed response goes back as the server sent
// it, for client-go to turn into an API error; a network failure becomes
// an UnavailableError.
func (r *retrier) stop(req *http.Request, resp *http.Response, f failure, attempts int, start time.Time, why error) (*http.Response, error) {
	if resp != nil {
		return resp, nil
	}
	return nil, &UnavailableError{Server: r.server, Reason: f.reason, Detail: f.detail, Method: req.Method,
		Attempts: attempts, Elapsed: time.Since(start), Err: why}
}

// rewind returns a copy of req to send again, with its body reset, or false
// if the body cannot be read again.
func rewind(req *http.Request) (*http.Request, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	next := req.Clone(req.Context())
	next.Body = body
	return next, true
}

// discard reads a little of a failed response, so that its connection can
// be reused, and closes it.
func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// streams reports whether resp is read as it comes: a watch, a followed
// log, a connection upgrade.
func streams(req *http.Request, resp *http.Response) bool {
	q := req.URL.Query()
	return resp.StatusCode == http.StatusSwitchingProtocols || q.Get("watch") == "true" || q.Get("follow") == "true" ||
		strings.Contains(req.URL.Path, "/watch/")
}

// buffered reads resp's body whole, returning the read's error, if any,
// as the request's.
func buffered(resp *http.Response) (*http.Response, error) {
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
