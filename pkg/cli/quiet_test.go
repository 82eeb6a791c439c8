package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/klog/v2"
)

// captureStderr runs f with os.Stderr redirected and returns what was
// written there. Not for parallel tests.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = saved }()
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	f()
	klog.Flush()
	_ = w.Close()
	return <-got
}

// After Run, client-go's own log lines (klog, and the "Unhandled Error" of
// informers and reflectors) go nowhere.
func TestClientGoLogsSilenced(t *testing.T) {
	run(t, "envs")
	out := captureStderr(t, func() {
		klog.ErrorS(errors.New("connection refused"), "Failed to watch", "reflector", "k8s.io/client-go/informers/factory.go:160")
		klog.Warning("Waited before sending request due to client-side throttling")
		klog.FromContext(context.Background()).Info("Got a Retry-After response")
		utilruntime.HandleError(errors.New("an informer failed"))
	})
	if out != "" {
		t.Errorf("client-go logged to stderr:\n%s", out)
	}
}
