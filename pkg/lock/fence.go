package lock

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kship/kship/pkg/kube"
	"k8s.io/client-go/rest"
)

// Fence returns a client for c's cluster that acts only while h is held:
// once the lock is lost, requests fail before they are sent, requests in
// flight are cancelled, and connections refuse to write, so that nothing
// this process sent after its deadline reaches the API server. Renewals use
// the client the lock was acquired with, not this one.
func (h *Held) Fence(c *kube.Client) (*kube.Client, error) {
	return c.Derive(func(cfg *rest.Config) {
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &fencedTransport{held: h, next: rt} })
		dial := cfg.Dial
		if dial == nil {
			dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		}
		cfg.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if err := h.Valid(); err != nil {
				return nil, err
			}
			conn, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &fencedConn{Conn: conn, held: h}, nil
		}
	})
}

// fencedTransport refuses requests once the lock is lost and cancels those
// in flight when it is.
type fencedTransport struct {
	held *Held
	next http.RoundTripper
}

func (t *fencedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.held.Valid(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	stop := context.AfterFunc(t.held.Lost(), func() { cancel(context.Cause(t.held.Lost())) })
	done := func() {
		stop()
		cancel(nil)
	}
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		done()
		if cause := context.Cause(ctx); cause != nil && t.held.Lost().Err() != nil {
			return nil, cause
		}
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: done}
	return resp, nil
}

// releasingBody ends a request's fence watch when its body is closed.
type releasingBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// fencedConn refuses to write once the lock is lost: the last line of the
// fence, for a request that passed the transport's check just before.
type fencedConn struct {
	net.Conn
	held *Held
}

func (c *fencedConn) Write(p []byte) (int, error) {
	if err := c.held.Valid(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}
