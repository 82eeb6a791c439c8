package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/component-base/metrics/testutil"
)

// gadgets is app.Extra for a CRD of kind Gadget in group, and n Gadgets.
func gadgets(group string, n int) string {
	docs := `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.` + group + `}
spec:
  group: ` + group + `
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`
	for i := range n {
		docs += fmt.Sprintf("---\napiVersion: %s/v1\nkind: Gadget\nmetadata: {name: gadget-%d}\nspec: {size: %d}\n", group, i, i)
	}
	return docs
}

// applies reads from the API server's metrics how many server-side applies
// of group's gadgets it has served, real and dry-run. The group is the
// test's own, so that no other test's requests count.
func applies(t *testing.T, c *testcluster.Cluster, group string) (real, dryRun int) {
	t.Helper()
	raw, err := c.Clientset().CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		t.Fatalf("reading the API server's metrics: %v", err)
	}
	m := testutil.NewMetrics()
	if err := testutil.ParseMetrics(string(raw), &m); err != nil {
		t.Fatalf("parsing the API server's metrics: %v", err)
	}
	for _, s := range m["apiserver_request_total"] {
		if s.Metric["group"] != testutil.LabelValue(group) || s.Metric["resource"] != "gadgets" || s.Metric["verb"] != "APPLY" {
			continue
		}
		if s.Metric["dry_run"] == "" {
			real += int(s.Value)
		} else {
			dryRun += int(s.Value)
		}
	}
	return real, dryRun
}

// TestUnchangedObjectsAreNotSentAgain: a redeploy whose dry run finds an
// object as it would leave it (content and field ownership) does not send
// its apply again, and reports it unchanged; an object that changed in
// the cluster between the dry run and the apply is sent.
func TestUnchangedObjectsAreNotSentAgain(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	group := fmt.Sprintf("t%d.kship.test", time.Now().UnixNano())
	dyn := kubeClient(t, c).Dynamic
	t.Cleanup(func() {
		_ = dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}).
			Delete(context.Background(), "gadgets."+group, metav1.DeleteOptions{})
	})
	dir := t.TempDir()
	const n = 5
	target := func() *engine.Target { return app{Extra: gadgets(group, n)}.target(t, dir, ns, contextOf(c)) }
	if _, err := engine.Deploy(ctx, target(), options(c, &recorder{})); err != nil {
		t.Fatalf("first deploy: %v", err)
	}

	real0, dry0 := applies(t, c, group)
	rec := &recorder{}
	res, err := engine.Deploy(ctx, target(), options(c, rec))
	if err != nil {
		t.Fatalf("unchanged redeploy: %v", err)
	}
	real1, dry1 := applies(t, c, group)
	if real1-real0 != 0 || dry1-dry0 != n {
		t.Errorf("unchanged redeploy: %d applies and %d dry runs of the gadgets, want 0 and %d", real1-real0, dry1-dry0, n)
	}
	for _, o := range res.Deploy.Objects {
		if o.Action != apply.Unchanged || !o.Ready() {
			t.Errorf("%s: %s %s, want unchanged and ready", o.Ref, o.Action, o.Status)
		}
	}

	// Someone labels gadget-0 after the dry run: its apply is sent.
	gadgetsOf := dyn.Resource(schema.GroupVersionResource{Group: group, Version: "v1", Resource: "gadgets"}).Namespace(ns)
	edited := false
	opts := on(options(c, &recorder{}), func(e event.Event) {
		if e.Type == event.PhaseStarted && !edited {
			edited = true
			label(t, gadgetsOf, "gadget-0")
		}
	})
	if _, err := engine.Deploy(ctx, target(), opts); err != nil {
		t.Fatalf("redeploy after an edit: %v", err)
	}
	real2, _ := applies(t, c, group)
	if !edited || real2-real1 != 1 {
		t.Errorf("after gadget-0 changed in the cluster (edited %v): %d applies of the gadgets, want 1", edited, real2-real1)
	}

	// The CRD changes: the gadgets' dry run, made against the old one,
	// proves nothing, and every gadget is sent.
	changed := app{Extra: strings.Replace(gadgets(group, n), "names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}",
		"names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList, shortNames: [gdg]}", 1)}
	if _, err := engine.Deploy(ctx, changed.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
		t.Fatalf("redeploy with a changed CRD: %v", err)
	}
	real3, _ := applies(t, c, group)
	if real3-real2 != n {
		t.Errorf("with the CRD changed: %d applies of the gadgets, want %d", real3-real2, n)
	}
}

func label(t *testing.T, ri dynamic.ResourceInterface, name string) {
	t.Helper()
	patch := []byte(`{"metadata":{"labels":{"edited-by":"someone"}}}`)
	if _, err := ri.Patch(context.Background(), name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "someone"}); err != nil {
		t.Fatalf("labelling %s: %v", name, err)
	}
}
