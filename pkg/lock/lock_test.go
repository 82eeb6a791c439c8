package lock_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
)

func TestLock(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	k, err := kube.New(kube.Options{Kubeconfig: c.Kubeconfig(), Context: c.Context()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	first, err := lock.Acquire(ctx, k, ns, "prod", lock.Options{Holder: "job-1", TTL: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Held and renewed: a second holder is refused, naming the first.
	time.Sleep(2500 * time.Millisecond)
	_, err = lock.Acquire(ctx, k, ns, "prod", lock.Options{Holder: "job-2", TTL: 2 * time.Second})
	var held *lock.HeldError
	if !errors.As(err, &held) || held.Info.Holder != "job-1" || !strings.Contains(err.Error(), "job-1") {
		t.Fatalf("second Acquire: %v, want a HeldError naming job-1", err)
	}
	// Released: the next one gets it at once.
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := lock.Acquire(ctx, k, ns, "prod", lock.Options{Holder: "job-2", TTL: 1 * time.Second})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	// A holder that stops renewing (killed) loses it when the lease expires.
	_, err = lock.Break(ctx, k, ns, "prod")
	if err != nil {
		t.Fatal(err)
	}
	_ = second.Release(ctx)
	crashed, err := lock.Acquire(ctx, k, ns, "prod", lock.Options{Holder: "crashed", TTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	crashed.StopRenewing()
	start := time.Now()
	third, err := lock.Acquire(ctx, k, ns, "prod", lock.Options{Holder: "job-3", TTL: time.Second, Wait: 10 * time.Second})
	if err != nil {
		t.Fatalf("after the holder stopped renewing: %v", err)
	}
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Errorf("took the lock after %s, before the crashed holder's lease expired", waited)
	}
	info, err := lock.Current(ctx, k, ns, "prod")
	if err != nil || info == nil || info.Holder != "job-3" {
		t.Fatalf("Current = %+v, %v", info, err)
	}
	_ = third.Release(ctx)
	if info, _ := lock.Current(ctx, k, ns, "prod"); info != nil {
		t.Errorf("lock still held after Release: %+v", info)
	}
}
