package wait_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/wait"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var databases = schema.GroupVersionResource{Group: "ops.kship.dev", Version: "v1alpha1", Resource: "databases"}

// applyDatabase installs the corpus' Database CRD and applies its Database
// "orders" in ns, without waiting for it; it returns the live object.
func applyDatabase(t *testing.T, k *kube.Client, ns string) *unstructured.Unstructured {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile("../../testdata/readiness/operator/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if out, err := applyAndWait(t, k, objects(t, ns, read("crd.yaml")), 60*time.Second); err != nil {
		t.Fatalf("CRD: %v %+v", err, out)
	}
	k.Mapper.Reset()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := apply.New(k, apply.Options{}).Apply(ctx, objects(t, ns, read("database.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	return res[0].Object
}

// setStatus writes the Database's status as its operator would.
func setStatus(t *testing.T, k *kube.Client, ns string, st map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := k.Dynamic.Resource(databases).Namespace(ns)
	db, err := res.Get(ctx, "orders", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db.Object["status"] = st
	if _, err := res.UpdateStatus(ctx, db, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func available(value, reason, message string) map[string]any {
	return map[string]any{"observedGeneration": 1, "conditions": []any{map[string]any{
		"type": "Available", "status": value, "reason": reason, "message": message, "observedGeneration": 1,
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}}}
}

// updates records a wait's progress, safely read from another goroutine.
type updates struct {
	mu   sync.Mutex
	list []wait.Update
}

func (u *updates) add(up wait.Update) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.list = append(u.list, up)
}

func (u *updates) find(ok func(wait.Update) bool) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, up := range u.list {
		if ok(up) {
			return true
		}
	}
	return false
}

type waitResult struct {
	out []wait.Outcome
	err error
}

// TestWaitCustomResourceUntilAvailable: a custom resource whose operator
// reports Available=False is waited for, with the condition's reason, until
// the operator reports Available=True.
func TestWaitCustomResourceUntilAvailable(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	ns := c.Namespace(t)
	live := applyDatabase(t, k, ns)
	setStatus(t, k, ns, available("False", "ProvisioningStorage", "waiting for volume data-orders-0"))

	var seen updates
	done := make(chan waitResult, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() {
		out, err := wait.Wait(ctx, k, []*unstructured.Unstructured{live}, wait.Options{OnUpdate: seen.add})
		done <- waitResult{out, err}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !seen.find(func(u wait.Update) bool {
		return u.Status == status.InProgress && strings.Contains(u.Message, "ProvisioningStorage: waiting for volume data-orders-0")
	}) {
		select {
		case r := <-done:
			t.Fatalf("the wait ended while the Database was Available=False: %v %+v", r.err, r.out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no InProgress update naming the condition's reason; updates: %+v", seen.list)
		}
	}

	setStatus(t, k, ns, available("True", "Running", "2 of 2 replicas ready"))
	r := <-done
	if r.err != nil {
		t.Fatalf("wait: %v %+v", r.err, r.out)
	}
	if o := r.out[0]; o.Status != status.Current || o.Message != `database "orders" is available` {
		t.Errorf("outcome %s: %s, want Current: database \"orders\" is available", o.Status, o.Message)
	}
}

// TestWaitCustomResourceUnknown: a custom resource whose status kship cannot
// read settles at once as Unknown, saying what kship saw, instead of being
// called Current or waited on until the timeout.
func TestWaitCustomResourceUnknown(t *testing.T) {
	c := testcluster.Require(t)
	k := client(t, c)
	ns := c.Namespace(t)
	live := applyDatabase(t, k, ns)
	setStatus(t, k, ns, map[string]any{"phase": "Provisioning", "endpoint": "orders." + ns + ".svc:5432"})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	out, err := wait.Wait(ctx, k, []*unstructured.Unstructured{live}, wait.Options{})
	if err != nil {
		t.Fatalf("wait: %v %+v", err, out)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s: an Unknown object must not be waited for", took)
	}
	want := `kship cannot judge database "orders": its status (phase "Provisioning", endpoint) has neither a condition kship knows (Ready, Available, ...) nor an observedGeneration`
	if o := out[0]; o.Status != status.Unknown || o.Message != want {
		t.Errorf("outcome %s: %s\nwant Unknown: %s", o.Status, o.Message, want)
	}
}
