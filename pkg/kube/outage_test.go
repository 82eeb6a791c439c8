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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
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

// comeBack starts, after delay, a server on addr answering as answer does.
func comeBack(t *testing.T, addr string, delay time.Duration, answer func(n int, w http.ResponseWriter, r *http.Request)) {
	s := &script{answer: answer}
	go func() {
		time.Sleep(delay)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.answer(int(s.calls.Add(1)), w, r)
		}))
		_ = srv.Listener.Close()
		srv.Listener = l
		srv.Start()
		t.Cleanup(srv.Close)
	}()
}

// An API server that comes back within the budget: the request succeeds,
// through the 403s a restarted server answers while it loads its RBAC rules.
func TestServerBackWithinBudget(t *testing.T) {
	t.Parallel()
	url, addr := closedPort(t)
	policy := Retry{First: 20 * time.Millisecond, Max: 100 * time.Millisecond, Request: 5 * time.Second, Outage: 5 * time.Second, Warmup: 2 * time.Second}
	c := connect(t, url, policy)
	comeBack(t, addr, 500*time.Millisecond, failFirst(2, answer(403, `RBAC: clusterrole.rbac.authorization.k8s.io "admin" not found`)))
	start := time.Now()
	if err := ssa(context.Background(), c); err != nil {
		t.Fatalf("apply while the server restarts: %v", err)
	}
	if took := time.Since(start); took < 400*time.Millisecond {
		t.Errorf("succeeded after %s, before the server was back", took)
	}
}

// A 403 that outlasts the warm-up is the server's answer.
func TestForbiddenAfterWarmup(t *testing.T) {
	t.Parallel()
	url, addr := closedPort(t)
	policy := Retry{First: 20 * time.Millisecond, Max: 50 * time.Millisecond, Request: 10 * time.Second, Outage: 10 * time.Second, Warmup: 400 * time.Millisecond}
	c := connect(t, url, policy)
	comeBack(t, addr, 200*time.Millisecond, func(_ int, w http.ResponseWriter, _ *http.Request) { status(w, 403, "forbidden") })
	start := time.Now()
	if err := ssa(context.Background(), c); !apierrors.IsForbidden(err) {
		t.Fatalf("error %v, want the 403", err)
	}
	if took := time.Since(start); took < 500*time.Millisecond || took > 1500*time.Millisecond {
		t.Errorf("gave up after %s, want the outage plus the 400ms warm-up", took)
	}
	start = time.Now()
	if err := ssa(context.Background(), c); !apierrors.IsForbidden(err) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("after the warm-up: %v after %s, want the 403 at once", err, time.Since(start))
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
