package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// app is the build of environment "test": a ConfigMap "settings" whose
// LEVEL is Value, and a one-replica Deployment "web" that uses it. The
// kustomization names no namespace: the environment's is the objects'.
type app struct {
	Value     string            // LEVEL; default "one"
	PodAnnots map[string]string // on the pod template (testcluster's Annotation*)
	Recreate  bool              // the Deployment's strategy is Recreate
	Extra     string            // more YAML documents, each starting with "---"
}

// target writes a into dir/app, and a kship.yaml whose environment "test"
// deploys it to ns with settings (lines such as "context: NAME"); it
// returns the environment as the engine's target. Writing again into the
// same dir changes the same environment of the same project.
func (a app) target(t *testing.T, dir, ns string, settings ...string) *engine.Target {
	t.Helper()
	if a.Value == "" {
		a.Value = "one"
	}
	strategy := ""
	if a.Recreate {
		strategy = "\n  strategy: {type: Recreate}"
	}
	var annots []string
	for k, v := range a.PodAnnots {
		annots = append(annots, strconv.Quote(k)+": "+strconv.Quote(v))
	}
	sort.Strings(annots)
	objects := `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {LEVEL: "` + a.Value + `"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1` + strategy + `
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {` + strings.Join(annots, ", ") + `}
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
        envFrom: [{configMapRef: {name: settings}}]
` + a.Extra
	write(t, filepath.Join(dir, "app", "kustomization.yaml"), "resources: [objects.yaml]\n")
	write(t, filepath.Join(dir, "app", "objects.yaml"), objects)
	cfg := "environments:\n  test:\n    overlay: app\n    namespace: " + ns + "\n"
	for _, s := range settings {
		cfg += "    " + s + "\n"
	}
	path := filepath.Join(dir, "kship.yaml")
	write(t, path, cfg)
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	env, err := c.Environment("test")
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Target{Dir: env.Overlay, Env: env, Config: c}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// configMap is a YAML document of a ConfigMap named name, for app.Extra.
func configMap(name string, annotations ...string) string {
	return "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", annotations: {" + strings.Join(annotations, ", ") + "}}\ndata: {k: v}\n"
}

// namespaceDoc is a YAML document of Namespace ns, for app.Extra.
func namespaceDoc(ns string) string {
	return "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + ", labels: {kship.dev/test: \"true\"}}\n"
}

// contextOf is the environment setting that names c's kube context.
func contextOf(c *testcluster.Cluster) string { return "context: " + c.Context() }

var missingSeq atomic.Int64

// missingNamespace names a namespace that does not exist, and deletes it
// when the test ends if the test had it created.
func missingNamespace(t *testing.T, c *testcluster.Cluster) string {
	t.Helper()
	ns := fmt.Sprintf("t-missing-%d-%d", time.Now().UnixNano()%1e9, missingSeq.Add(1))
	t.Cleanup(func() {
		err := c.Clientset().CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting namespace %s: %v", ns, err)
		}
	})
	return ns
}

func kubeClient(t *testing.T, c *testcluster.Cluster) *kube.Client {
	t.Helper()
	k, err := kube.New(kube.Options{Kubeconfig: c.Kubeconfig(), Context: c.Context()})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// stateOf reads the inventory of environment "test" in ns.
func stateOf(t *testing.T, c *testcluster.Cluster, ns string) *inventory.State {
	t.Helper()
	s, err := inventory.New(kubeClient(t, c), "test", ns).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// revision is rev's record in h, nil when there is none.
func revision(h []inventory.Record, rev int) *inventory.Record {
	for i := range h {
		if h[i].Revision == rev {
			return &h[i]
		}
	}
	return nil
}

// outcomes renders a history as "1:ready 2:failed", for messages.
func outcomes(h []inventory.Record) string {
	var out []string
	for _, r := range h {
		s := fmt.Sprintf("%d:%s", r.Revision, r.Outcome)
		if r.Saved {
			s += "(saved)"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// savedRevisions lists the revisions of environment "test" whose manifests
// are saved in ns, by the labels of the Secrets that hold them.
func savedRevisions(t *testing.T, c *testcluster.Cluster, ns string) []int {
	t.Helper()
	list, err := c.Clientset().CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "kship.dev/release-of=test"})
	if err != nil {
		t.Fatal(err)
	}
	set := map[int]bool{}
	for _, s := range list.Items {
		rev, err := strconv.Atoi(s.Labels["kship.dev/revision"])
		if err != nil {
			t.Fatalf("Secret %s: revision label %q", s.Name, s.Labels["kship.dev/revision"])
		}
		set[rev] = true
	}
	out := []int{}
	for r := range set {
		out = append(out, r)
	}
	sort.Ints(out)
	return out
}

// level is the LEVEL of ConfigMap "settings" in ns, "" when it is missing.
func level(t *testing.T, c *testcluster.Cluster, ns string) string {
	t.Helper()
	cm, err := c.Clientset().CoreV1().ConfigMaps(ns).Get(context.Background(), "settings", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return cm.Data["LEVEL"]
}

// exists reports whether ConfigMap name is in ns.
func exists(t *testing.T, c *testcluster.Cluster, ns, name string) bool {
	t.Helper()
	_, err := c.Clientset().CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// of returns the events of type typ, in order.
func (r *recorder) of(typ event.Type) []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event.Event
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// index is the position of the first event of type typ, -1 when none.
func (r *recorder) index(typ event.Type) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, e := range r.events {
		if e.Type == typ {
			return i
		}
	}
	return -1
}

// lastIndex is the position of the last event of type typ, -1 when none.
func (r *recorder) lastIndex(typ event.Type) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i].Type == typ {
			return i
		}
	}
	return -1
}

// on returns opts whose events also go to f, before the recorder sees them.
func on(opts engine.Options, f func(event.Event)) engine.Options {
	next := opts.OnEvent
	opts.OnEvent = func(e event.Event) {
		f(e)
		next.Emit(e)
	}
	return opts
}

// poll waits up to 30s for cond.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
