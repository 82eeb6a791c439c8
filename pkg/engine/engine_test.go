package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/exitcode"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// tree writes, in dir/app, a kustomization of a ConfigMap and a
// Deployment that uses it, in namespace ns, with replicas and the
// ConfigMap's value given. The directory's name names the inventory.
func tree(t *testing.T, dir, ns string, replicas, value string) string {
	t.Helper()
	dir = filepath.Join(dir, "app")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"kustomization.yaml": "namespace: " + ns + "\nresources: [app.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [LEVEL=" + value + "]\n",
		"app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ` + replicas + `
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
        envFrom: [{configMapRef: {name: settings}}]
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) emit(e event.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) types() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, string(e.Type))
	}
	return strings.Join(out, " ")
}

func options(c *testcluster.Cluster, rec *recorder) engine.Options {
	return engine.Options{Cluster: engine.Cluster{Kubeconfig: c.Kubeconfig(), Context: c.Context()},
		Timeout: time.Minute, LockWait: 10 * time.Second, Prune: true, MaxPruneShare: engine.DefaultMaxPruneShare,
		By: "engine-test", OnEvent: rec.emit}
}

// Deploy's contract: it writes the objects and its record, returns what
// each object did, and emits the steps in order; a dry run and Diff then
// plan the same change with the same planner and write nothing.
func TestDeployThenPlan(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	rec := &recorder{}
	dir := t.TempDir()

	res, err := engine.Deploy(ctx, &engine.Target{Dir: tree(t, dir, ns, "2", "info")}, options(c, rec))
	if err != nil {
		t.Fatalf("deploy: %v (events: %s)", err, rec.types())
	}
	if res.Revision != 1 || res.Deploy == nil || len(res.Deploy.Objects) != 2 {
		t.Fatalf("result: revision %d, %+v", res.Revision, res.Deploy)
	}
	for _, o := range res.Deploy.Objects {
		if !o.Ready() || o.Action != apply.Created {
			t.Errorf("%s: %s %s, want created and Current", o.Ref, o.Action, o.Status)
		}
	}
	got := rec.types()
	for _, step := range []string{"deploy-started", "lock-acquired", "phase-started", "object-applied", "status-changed", "phase-done"} {
		if !strings.Contains(got, step) {
			t.Errorf("no %s event: %s", step, got)
		}
	}
	if strings.Index(got, "lock-acquired") > strings.Index(got, "phase-started") {
		t.Errorf("a phase began before the lock was held: %s", got)
	}
	// The inventory of a bare directory is named after the directory.
	if _, err := c.Clientset().CoreV1().Secrets(ns).Get(ctx, "kship-app", metav1.GetOptions{}); err != nil {
		t.Errorf("inventory after the deploy: %v", err)
	}

	// The change: a new ConfigMap value and 3 replicas.
	changed := &engine.Target{Dir: tree(t, dir, ns, "3", "debug")}
	before, err := c.Clientset().AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dry := options(c, &recorder{})
	dry.DryRun = true
	res, err = engine.Deploy(ctx, changed, dry)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !res.Deploy.DryRun || res.Revision != 0 {
		t.Errorf("dry run: dryRun %v, revision %d", res.Deploy.DryRun, res.Revision)
	}
	planned, err := engine.Diff(ctx, changed, options(c, &recorder{}))
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	var deployment, created bool
	for _, p := range planned.Input.Pairs {
		switch {
		case p.After.GetKind() == "Deployment":
			r, _, _ := unstructured.NestedInt64(p.After.Object, "spec", "replicas")
			deployment = r == 3 && p.Before != nil
		case p.After.GetKind() == "ConfigMap" && p.Before == nil:
			created = true
		}
	}
	if !deployment || !created {
		t.Errorf("diff pairs: Deployment at 3 replicas against the live one %v, new ConfigMap %v", deployment, created)
	}
	// The old ConfigMap is what the new one replaces; the ReplicaSet the
	// Deployment keeps for rollout undo still uses it, so it is not pruned.
	if len(planned.Input.Previous) != 1 || len(planned.Input.Prune) != 0 {
		t.Errorf("diff: previous %d, prune %v; want the old ConfigMap as the previous one, kept", len(planned.Input.Previous), planned.Input.Prune)
	}
	after, err := c.Clientset().AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.ResourceVersion != before.ResourceVersion {
		t.Errorf("a dry run or a diff wrote the Deployment")
	}
}

// A step that fails returns its own error type, whose exit code the CLI
// uses: a build error is 3, a refusal by the server in the dry run 4, and
// neither writes anything.
func TestStepErrorsCarryExitCodes(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	ctx := context.Background()

	_, err := engine.Deploy(ctx, &engine.Target{Dir: filepath.Join(t.TempDir(), "missing")}, options(c, &recorder{}))
	if !errors.As(err, new(*engine.BuildError)) || exitcode.Of(err) != exitcode.Build {
		t.Errorf("missing tree: %v (exit %d), want a BuildError, exit 3", err, exitcode.Of(err))
	}

	bad := &engine.Target{Dir: tree(t, t.TempDir(), ns, "-1", "info")}
	for _, dryRun := range []bool{true, false} {
		opts := options(c, &recorder{})
		opts.DryRun = dryRun
		_, err := engine.Deploy(ctx, bad, opts)
		if exitcode.Of(err) != exitcode.Apply || !strings.Contains(err.Error(), "Deployment/"+ns+"/web") {
			t.Errorf("dry run %v: %v (exit %d), want exit 4 naming the Deployment", dryRun, err, exitcode.Of(err))
		}
	}
	_, err = engine.Diff(ctx, bad, options(c, &recorder{}))
	if exitcode.Of(err) != exitcode.Apply || !strings.Contains(err.Error(), "Deployment/"+ns+"/web") {
		t.Errorf("diff: %v (exit %d), want exit 4 naming the Deployment", err, exitcode.Of(err))
	}
	cms, err := c.Clientset().CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: "applyset.kubernetes.io/part-of"})
	if err != nil || len(cms.Items) != 0 {
		t.Errorf("a refused deploy wrote %d ConfigMaps (%v)", len(cms.Items), err)
	}
}
