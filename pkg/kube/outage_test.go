package kube

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// closedPort returns the URL of a port nothing listens on.
func closedPort(t *testing.T) (string, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return "http://" + addr, addr
}

func TestRefusedConnectionsAreRetriedThenSummarised(t *testing.T) {
	t.Parallel()
	url, addr := closedPort(t)
	policy := Retry{First: 20 * time.Millisecond, Max: 80 * time.Millisecond, Request: 600 * time.Millisecond, Outage: time.Minute}
	c := connect(t, url, policy)
	start := time.Now()
	// An update too: a refused connection was never sent, whatever its method.
	err := update(context.Background(), c)
	took := time.Since(start)
	var ue *UnavailableError
	if !errors.As(err, &ue) || !errors.Is(err, ErrGaveUp) {
		t.Fatalf("error %v (%T), want an UnavailableError that gave up", err, err)
	}
	if ue.Attempts < 4 || took < 500*time.Millisecond || took > 1500*time.Millisecond {
		t.Errorf("%d attempts in %s, want several within the 600ms budget", ue.Attempts, took)
	}
	want := "the API server at " + url + " refused connections (dial tcp " + addr + ": connect: connection refused)"
	if ue.Cause() != want {
		t.Errorf("Cause() = %q\nwant      %q", ue.Cause(), want)
	}
	if !strings.HasPrefix(err.Error(), `Put "`+url) || !strings.Contains(err.Error(), want+"; gave up after ") {
		t.Errorf("error %q", err)
	}
}

// Once the API server has not answered for the outage budget, requests are
// tried once: a thousand objects do not wait a thousand budgets. Cleanup
// requests still get their own budget.
func TestOutageBudgetIsShared(t *testing.T) {
	t.Parallel()
	url, _ := closedPort(t)
	policy := Retry{First: 20 * time.Millisecond, Max: 40 * time.Millisecond, Request: 10 * time.Second, Outage: 500 * time.Millisecond}
	c := connect(t, url, policy)
	attempts := func(ctx context.Context) int {
		var ue *UnavailableError
		if err := get(ctx, c); !errors.As(err, &ue) {
			t.Fatalf("error %v, want an UnavailableError", err)
		}
		return ue.Attempts
	}
	start := time.Now()
	if n := attempts(context.Background()); n < 3 {
		t.Errorf("first request: %d attempts, want it retried through the outage budget", n)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("first request took %s, want about the 500ms outage budget", took)
	}
	// The first request stops when its next wait would end past the budget.
	time.Sleep(100 * time.Millisecond)
	start = time.Now()
	if n := attempts(context.Background()); n != 1 {
		t.Errorf("request after the outage budget: %d attempts, want 1", n)
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("request after the outage budget took %s", took)
	}
	ctx, cancel := context.WithTimeout(Cleanup(context.Background()), 300*time.Millisecond)
	defer cancel()
	if n := attempts(ctx); n < 3 {
		t.Errorf("cleanup request: %d attempts, want it retried", n)
	}
}

// An API server that comes back within the budget: the request succeeds.
func TestServerBackWithinBudget(t *testing.T) {
	t.Parallel()
	url, addr := closedPort(t)
	c := connect(t, url, Retry{First: 20 * time.Millisecond, Max: 100 * time.Millisecond, Request: 5 * time.Second, Outage: 5 * time.Second})
	go func() {
		time.Sleep(500 * time.Millisecond)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { configMap(w) }))
		_ = srv.Listener.Close()
		srv.Listener = l
		srv.Start()
		t.Cleanup(srv.Close)
	}()
	start := time.Now()
	if err := ssa(context.Background(), c); err != nil {
		t.Fatalf("apply while the server restarts: %v", err)
	}
	if took := time.Since(start); took < 400*time.Millisecond {
		t.Errorf("succeeded after %s, before the server was back", took)
	}
}

// The context still bounds the retries, and says so.
func TestContextBoundsRetries(t *testing.T) {
	t.Parallel()
	url, _ := closedPort(t)
	c := connect(t, url, Retry{First: 20 * time.Millisecond, Max: 50 * time.Millisecond, Request: time.Minute, Outage: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := ssa(ctx, c)
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %s, beyond the context's 300ms", took)
	}
	var ue *UnavailableError
	if !errors.As(err, &ue) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want an UnavailableError that ends with the deadline", err)
	}
	if !strings.Contains(ue.Error(), "refused connections") {
		t.Errorf("error %q does not say the server refused connections", ue)
	}
}
