package kube

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// failure is why an attempt failed, when the reason may pass.
type failure struct {
	// reason says what the API server did, in kship's words: "refused
	// connections".
	reason string
	// detail is the low-level error, when it reads the same for every
	// request (a dial error; not a read error, which names a local port).
	detail string
	// unsent says that the request cannot have reached the API server, or
	// that the server said it did not process it: retrying it is safe
	// whatever its method.
	unsent bool
	// warmup says it is a refusal to authenticate or authorize, retried
	// only while a server that just came back loads its caches.
	warmup bool
}

// transportFailure classifies an error from the transport below. Errors
// that no retry helps (a bad certificate, an unknown host, a cancelled
// context) are not failures.
func transportFailure(err error) (failure, bool) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return failure{}, false
	}
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		return dialFailure(op)
	}
	switch {
	case err.Error() == "net/http: TLS handshake timeout":
		// The handshake comes before any byte of the request.
		return failure{reason: "did not finish the TLS handshake in time", unsent: true}, true
	case utilnet.IsConnectionReset(err):
		return failure{reason: "reset the connection"}, true
	case utilnet.IsProbableEOF(err), errors.Is(err, syscall.EPIPE), utilnet.IsHTTP2ConnectionLost(err):
		return failure{reason: "closed the connection"}, true
	}
	return failure{}, false
}

// dialFailure classifies a failure to connect: the request was not sent.
func dialFailure(op *net.OpError) (failure, bool) {
	var dns *net.DNSError
	switch {
	case utilnet.IsConnectionRefused(op):
		return failure{reason: "refused connections", detail: op.Error(), unsent: true}, true
	case utilnet.IsConnectionReset(op):
		return failure{reason: "reset the connection", unsent: true}, true
	case errors.Is(op, syscall.EHOSTUNREACH), errors.Is(op, syscall.ENETUNREACH):
		return failure{reason: "could not be reached", detail: op.Error(), unsent: true}, true
	case errors.As(op, &dns):
		// An unknown name is a configuration error, not a passing one.
		if dns.IsTemporary || dns.IsTimeout {
			return failure{reason: "could not be looked up", detail: op.Error(), unsent: true}, true
		}
		return failure{}, false
	case op.Timeout():
		return failure{reason: "did not accept a connection in time", detail: op.Error(), unsent: true}, true
	}
	return failure{}, false
}

// statusFailure classifies a response. 429 means the server did not
// process the request; 502, 503 and 504 that a proxy or the server could
// not, or not in time, and the request may have taken effect. 500 is not
// retried: it is what a failing admission webhook returns ("failed calling
// webhook"), which a retry a second later rarely fixes.
//
// A 429 or 5xx with a Retry-After in seconds is left to client-go's rest
// client, which waits as the server asks and retries up to ten times, any
// method: retrying it here as well would multiply the attempts.
func statusFailure(resp *http.Response) (failure, bool) {
	code := resp.StatusCode
	if code == http.StatusTooManyRequests || code >= 500 {
		if _, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			return failure{}, false
		}
	}
	switch code {
	case http.StatusTooManyRequests:
		return failure{reason: answered(code), unsent: true}, true
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return failure{reason: answered(code)}, true
	}
	return failure{}, false
}

func answered(code int) string { return "answered " + strconv.Itoa(code) + " " + http.StatusText(code) }

// authFailure classifies a 401 or 403, which a restarted API server
// answers while its authenticator and authorizer load the tokens and RBAC
// rules it serves without. Authentication and authorization come before
// any handler, so the request was not processed.
func authFailure(resp *http.Response) (failure, bool) {
	switch code := resp.StatusCode; code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return failure{reason: answered(code) + " while it was starting", unsent: true, warmup: true}, true
	}
	return failure{}, false
}

// idempotent reports whether sending req twice does what sending it once
// does: reads, deletes (a second one finds the object gone: NotFound, which
// kship's callers take as done), server-side apply (the same intent applied
// again changes nothing), and dry runs. Creates, updates and other patches
// are not: an update whose response was lost would conflict with itself
// when retried, so it is left to its caller, which reads the object again.
func idempotent(req *http.Request) bool {
	if len(req.URL.Query()["dryRun"]) > 0 {
		return true
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return true
	case http.MethodPatch:
		return strings.HasPrefix(req.Header.Get("Content-Type"), "application/apply-patch")
	}
	return false
}
