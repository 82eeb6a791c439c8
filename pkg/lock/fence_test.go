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
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func client(t *testing.T, c *testcluster.Cluster) *kube.Client {
	t.Helper()
	k, err := kube.New(kube.Options{Kubeconfig: c.Kubeconfig(), Context: c.Context()})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A holder that stops renewing (a paused process) stops acting at its
// renew deadline: requests are refused before they are sent, and one in
// flight (a watch) is cut.
func TestFenceStopsActingAtTheDeadline(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	k := client(t, c)
	ctx := context.Background()
	held, err := lock.Acquire(ctx, k, ns, "prod", lock.Options{Holder: "job-1", TTL: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release(ctx)
	fenced, err := held.Fence(k)
	if err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before"}}
	if _, err := fenced.Typed.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("while held: %v", err)
	}
	w, err := fenced.Typed.CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	held.StopRenewing()
	start := time.Now()
	select {
	case <-held.Lost().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the lock was not lost 10s after renewals stopped (renew deadline 2s)")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("lost after %s, want by the 2s renew deadline", d)
	}
	for open := true; open; {
		select {
		case _, open = <-w.ResultChan():
		case <-time.After(5 * time.Second):
			t.Fatal("a watch opened under the lock still runs after the deadline")
		}
	}
	cm.Name = "after"
	_, err = fenced.Typed.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{})
	var lost *lock.LostError
	if !errors.As(err, &lost) || !strings.Contains(err.Error(), "renew deadline") {
		t.Fatalf("create after the deadline: %v, want a LostError naming the deadline", err)
	}
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Get(ctx, "after", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the refused create reached the API server: %v", err)
	}
}

// Another deploy takes a lease over only once it has itself seen it go
// unrenewed for the lease's duration: a live holder whose clock runs 31s
// behind (its renewTime looks expired) keeps the lock.
func TestSkewedHolderIsNotTakenOver(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	k := client(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	leases := c.Clientset().CoordinationV1().Leases(ns)
	skewed := func() *metav1.MicroTime { t := metav1.NewMicroTime(time.Now().Add(-31 * time.Second)); return &t }
	l := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: lock.Name("prod")}, Spec: coordinationv1.LeaseSpec{
		HolderIdentity: ptr.To("slow-clock #1"), LeaseDurationSeconds: ptr.To(int32(30)), AcquireTime: skewed(), RenewTime: skewed()}}
	if _, err := leases.Create(ctx, l, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	go func() { // the holder renews every second, by its slow clock
		for ctx.Err() == nil {
			time.Sleep(time.Second)
			cur, err := leases.Get(ctx, l.Name, metav1.GetOptions{})
			if err != nil {
				continue
			}
			cur.Spec.RenewTime = skewed()
			_, _ = leases.Update(ctx, cur, metav1.UpdateOptions{})
		}
	}()
	_, err := lock.Acquire(ctx, k, ns, "prod", lock.Options{Holder: "job-2", Wait: 5 * time.Second})
	var held *lock.HeldError
	if !errors.As(err, &held) || held.Info.Holder != "slow-clock" {
		t.Fatalf("Acquire = %v, want a HeldError naming slow-clock: it renews, only its clock is behind", err)
	}
}
