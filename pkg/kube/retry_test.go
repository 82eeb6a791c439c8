package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/clientcmd/api"
)

// fast keeps the tests quick: waits of 10-80 ms, 2 s per request.
var fast = Retry{First: 20 * time.Millisecond, Max: 80 * time.Millisecond, Request: 2 * time.Second, Outage: 2 * time.Second}

// connect returns a Client for the API server at url, with policy.
func connect(t *testing.T, url string, policy Retry) *Client {
	t.Helper()
	cfg := api.NewConfig()
	cfg.Clusters["c"] = &api.Cluster{Server: url}
	cfg.AuthInfos["u"] = &api.AuthInfo{}
	cfg.Contexts["x"] = &api.Context{Cluster: "c", AuthInfo: "u"}
	cfg.CurrentContext = "x"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Kubeconfig: path, Retry: &policy})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// script is an API server that answers the n-th request (from 1) with
// answer(n, w, r), and counts them.
type script struct {
	calls  atomic.Int32
	times  []time.Time
	mu     sync.Mutex
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func serve(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) (*script, *httptest.Server) {
	s := &script{answer: answer}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.calls.Add(1))
		s.mu.Lock()
		s.times = append(s.times, time.Now())
		s.mu.Unlock()
		s.answer(n, w, r)
	}))
	// A fresh connection per request: Go's transport would otherwise resend
	// some requests on a reused connection by itself, hiding what kship does.
	srv.Config.SetKeepAlivesEnabled(false)
	srv.Start()
	t.Cleanup(srv.Close)
	return s, srv
}

// status answers with an API Status of code, and extra headers.
func status(w http.ResponseWriter, code int, msg string, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"code":%d}`, msg, code)
}

func configMap(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm","namespace":"ns","resourceVersion":"7"}}`)
}

// failFirst answers the first n requests with fail, the rest with a
// ConfigMap.
func failFirst(n int, fail func(w http.ResponseWriter, r *http.Request)) func(int, http.ResponseWriter, *http.Request) {
	return func(i int, w http.ResponseWriter, r *http.Request) {
		if i <= n {
			fail(w, r)
			return
		}
		configMap(w)
	}
}

func answer(code int, msg string, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { status(w, code, msg, header...) }
}

// hangUp closes the connection without answering; with reset, with a TCP
// reset rather than an orderly close.
func hangUp(reset bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		if tcp, ok := conn.(*net.TCPConn); ok && reset {
			_ = tcp.SetLinger(0)
		}
		_ = conn.Close()
	}
}

// The requests kship makes, each as client-go sends it.
var (
	get = func(ctx context.Context, c *Client) error {
		_, err := c.Typed.CoreV1().ConfigMaps("ns").Get(ctx, "cm", metav1.GetOptions{})
		return err
	}
	ssa = func(ctx context.Context, c *Client) error {
		_, err := c.Typed.CoreV1().ConfigMaps("ns").Apply(ctx, applycorev1.ConfigMap("cm", "ns"), metav1.ApplyOptions{FieldManager: "kship"})
		return err
	}
	update = func(ctx context.Context, c *Client) error {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "ns", ResourceVersion: "7"}}
		_, err := c.Typed.CoreV1().ConfigMaps("ns").Update(ctx, cm, metav1.UpdateOptions{})
		return err
	}
	create = func(ctx context.Context, c *Client) error {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "ns"}}
		_, err := c.Typed.CoreV1().ConfigMaps("ns").Create(ctx, cm, metav1.CreateOptions{})
		return err
	}
	dryRunCreate = func(ctx context.Context, c *Client) error {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "ns"}}
		_, err := c.Typed.CoreV1().ConfigMaps("ns").Create(ctx, cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}
	mergePatch = func(ctx context.Context, c *Client) error {
		_, err := c.Typed.CoreV1().ConfigMaps("ns").Patch(ctx, "cm", types.MergePatchType, []byte(`{"data":{"a":"b"}}`), metav1.PatchOptions{})
		return err
	}
	del = func(ctx context.Context, c *Client) error {
		return c.Typed.CoreV1().ConfigMaps("ns").Delete(ctx, "cm", metav1.DeleteOptions{})
	}
)

func TestRetryClassification(t *testing.T) {
	t.Parallel()
	webhook := `Internal error occurred: failed calling webhook "check.example.com": failed to call webhook: Post "https://check.svc:443/": dial tcp 10.0.0.1:443: connect: connection refused`
	tests := []struct {
		name    string
		request func(context.Context, *Client) error
		answer  func(int, http.ResponseWriter, *http.Request)
		calls   int
		// check judges the error; nil means success is wanted.
		check func(error) bool
	}{
		{"a read is retried on 503", get, failFirst(2, answer(503, "unavailable")), 3, nil},
		{"a server-side apply is retried on 504", ssa, failFirst(2, answer(504, "timeout")), 3, nil},
		{"a delete is retried on 502", del, failFirst(1, answer(502, "bad gateway")), 2, nil},
		{"a dry-run create is retried on 503", dryRunCreate, failFirst(1, answer(503, "unavailable")), 2, nil},
		{"an update is not retried on 503", update, failFirst(1, answer(503, "unavailable")), 1, apierrors.IsServiceUnavailable},
		{"a merge patch is not retried on 503", mergePatch, failFirst(1, answer(503, "unavailable")), 1, apierrors.IsServiceUnavailable},
		{"a create is retried on 429: the server did not process it", create, failFirst(2, answer(429, "slow down")), 3, nil},
		{"a failing webhook (500) is not retried", ssa, failFirst(1, answer(500, webhook)), 1, func(err error) bool {
			return apierrors.IsInternalError(err) && strings.Contains(err.Error(), "failed calling webhook")
		}},
		{"a read is not retried on 500", get, failFirst(1, answer(500, "boom")), 1, apierrors.IsInternalError},
		{"not found is an answer", get, failFirst(1, answer(404, "gone")), 1, apierrors.IsNotFound},
		{"forbidden is an answer, from a server seen up", ssa, failFirst(1, answer(403, "forbidden")), 1, apierrors.IsForbidden},
		{"a read is retried when the connection closes", get, failFirst(2, hangUp(false)), 3, nil},
		{"a read is retried when the connection is reset", get, failFirst(2, hangUp(true)), 3, nil},
		{"an apply is retried when the connection closes", ssa, failFirst(1, hangUp(false)), 2, nil},
		{"a retried delete that finds the object gone reports NotFound", del, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				hangUp(false)(w, r) // deleted, but the answer is lost
				return
			}
			status(w, 404, `configmaps "cm" not found`)
		}, 2, apierrors.IsNotFound},
		{"an update whose connection broke is not retried", update, failFirst(1, hangUp(false)), 1, func(err error) bool {
			var ue *UnavailableError
			return errors.As(err, &ue) && errors.Is(err, ErrNotIdempotent) && strings.Contains(err.Error(), "not retried: the PUT may have taken effect")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, srv := serve(t, tt.answer)
			err := tt.request(context.Background(), connect(t, srv.URL, fast))
			if got := int(s.calls.Load()); got != tt.calls {
				t.Errorf("the server got %d requests, want %d", got, tt.calls)
			}
			switch {
			case tt.check == nil && err != nil:
				t.Errorf("error %v, want success", err)
			case tt.check != nil && (err == nil || !tt.check(err)):
				t.Errorf("error %v (%T), not the one wanted", err, err)
			}
		})
	}
}

// A Retry-After is honoured by client-go's rest client; kship does not
// retry the same response again on top of it.
func TestRetryAfterLeftToClientGo(t *testing.T) {
	t.Parallel()
	for _, code := range []int{429, 503} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			t.Parallel()
			s, srv := serve(t, failFirst(1, answer(code, "later", "Retry-After", "1")))
			start := time.Now()
			if err := get(context.Background(), connect(t, srv.URL, fast)); err != nil {
				t.Fatal(err)
			}
			if got := s.calls.Load(); got != 2 {
				t.Errorf("the server got %d requests, want 2", got)
			}
			if waited := time.Since(start); waited < 900*time.Millisecond {
				t.Errorf("retried after %s, want the 1s the server asked for", waited)
			}
		})
	}
}

func TestRetryBackoffAndBudget(t *testing.T) {
	t.Parallel()
	policy := Retry{First: 40 * time.Millisecond, Max: 160 * time.Millisecond, Request: 1200 * time.Millisecond, Outage: time.Minute}
	s, srv := serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) { status(w, 503, "unavailable") })
	start := time.Now()
	err := get(context.Background(), connect(t, srv.URL, policy))
	took := time.Since(start)
	if !apierrors.IsServiceUnavailable(err) {
		t.Fatalf("error %v, want the last 503", err)
	}
	if took > policy.Request+500*time.Millisecond {
		t.Errorf("retried for %s, beyond the %s budget", took, policy.Request)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.times) < 5 {
		t.Fatalf("%d attempts in %s, want more", len(s.times), took)
	}
	// Each wait is at least half its bound: 20, 40, 80, 80... ms.
	for i := 1; i < len(s.times); i++ {
		gap := s.times[i].Sub(s.times[i-1])
		if gap < min(policy.First<<(i-1), policy.Max)/2 {
			t.Errorf("wait %d was %s, shorter than half its bound", i, gap)
		}
	}
}

func TestRetryWait(t *testing.T) {
	t.Parallel()
	r := Retry{First: 100 * time.Millisecond, Max: time.Second}
	bounds := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for n, b := range bounds {
		b *= time.Millisecond
		seen := map[time.Duration]bool{}
		for range 200 {
			w := r.wait(n + 1)
			if w < b/2 || w > b {
				t.Fatalf("wait(%d) = %s, want within [%s, %s]", n+1, w, b/2, b)
			}
			seen[w] = true
		}
		if len(seen) < 50 {
			t.Errorf("wait(%d) took %d distinct values in 200 draws: not jittered", n+1, len(seen))
		}
	}
}
