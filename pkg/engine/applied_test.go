package engine_test

import (
	"context"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
)

// What a deploy reports it applied is the object the API server returned,
// which the wait then judges, without the managedFields that would double
// what a deploy holds. A diff still pairs each live object with the whole of
// what the server's dry run returned.
func TestAppliedObjectsLeaveManagedFields(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	dir := t.TempDir()

	rec := &recorder{}
	if _, err := engine.Deploy(ctx, app{}.target(t, dir, ns, contextOf(c)), options(c, rec)); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	applied := rec.of(event.ObjectApplied)
	if len(applied) < 2 {
		t.Fatalf("%d objects applied, want the ConfigMap and the Deployment", len(applied))
	}
	for _, e := range applied {
		o := e.Applied.Object
		if o == nil || o.GetUID() == "" || o.GetResourceVersion() == "" {
			t.Errorf("%s: applied object %v, want the server's", e.Applied.Ref, o)
			continue
		}
		if mf := o.GetManagedFields(); mf != nil {
			t.Errorf("%s: applied object keeps %d managedFields entries", e.Applied.Ref, len(mf))
		}
	}

	planned, err := engine.Diff(ctx, app{Value: "two"}.target(t, dir, ns, contextOf(c)), options(c, &recorder{}))
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	if len(planned.Input.Pairs) < 2 {
		t.Fatalf("diff pairs %d, want the ConfigMap and the Deployment", len(planned.Input.Pairs))
	}
	for _, p := range planned.Input.Pairs {
		if p.Before == nil || p.After == nil || p.After.GetManagedFields() == nil {
			t.Errorf("diff pair %v -> %v, want the live object and the dry run's, with its managedFields", p.Before, p.After)
		}
	}
}
