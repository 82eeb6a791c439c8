package kube

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// roundTrips answers with the next of its functions.
type roundTrips []func(*http.Request) (*http.Response, error)

func (r *roundTrips) RoundTrip(req *http.Request) (*http.Response, error) {
	f := (*r)[0]
	if len(*r) > 1 {
		*r = (*r)[1:]
	}
	return f(req)
}

// A context that ends while a retry is on its way still says why the
// request was retried: the server refused connections, not only "context
// deadline exceeded".
func TestDeadlineDuringARetryKeepsTheCause(t *testing.T) {
	refused := func(*http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	hangs := func(req *http.Request) (*http.Response, error) {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	next := &roundTrips{refused, hangs}
	r := wrapper("https://api.example:6443", Retry{First: time.Millisecond, Max: time.Millisecond, Request: time.Minute, Outage: time.Minute}, &outage{})(next)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example:6443/api/v1/namespaces", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.RoundTrip(req)
	var ue *UnavailableError
	if !errors.As(err, &ue) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "refused connections") {
		t.Fatalf("error %v, want an UnavailableError saying the server refused connections, ending with the deadline", err)
	}
}
