package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
)

// annotateDeployment gives the app's Deployment a kship.dev/timeout.
func annotateDeployment(t *testing.T, dir, timeout string) {
	t.Helper()
	patch := "patches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value: {kship.dev/timeout: \"" + timeout + "\"}\n"
	editFile(t, filepath.Join(dir, "app/kustomization.yaml"), "resources: [", patch+"resources: [")
}

// TestObjectTimeoutFiresFirst fails a Deployment that never gets ready
// when its own timeout is up, long before the deploy's, and says which
// timeout fired: its annotation over its kind's in kship.yaml, and the
// kind's without the annotation.
func TestObjectTimeoutFiresFirst(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	a := app{Replicas: 1, NoJob: true, PodAnnots: map[string]string{testcluster.AnnotationNeverReady: "true"}}
	a.write(t, dir, c.Context(), ns)
	cfg := writeFile(t, dir, "kship.yaml", "timeouts: {Deployment: 4s}\nenvironments:\n  test:\n    overlay: app\n    context: "+c.Context()+"\n    namespace: "+ns+"\n")
	annotateDeployment(t, dir, "2s")

	for _, tt := range []struct{ name, by string }{
		{"annotation", "its kship.dev/timeout annotation"},
		{"kind", "timeouts: Deployment in kship.yaml"},
	} {
		if tt.name == "kind" {
			a.write(t, dir, c.Context(), ns) // no annotation
			writeFile(t, dir, "kship.yaml", "timeouts: {Deployment: 4s}\nenvironments:\n  test:\n    overlay: app\n    context: "+c.Context()+"\n    namespace: "+ns+"\n")
		}
		begun := time.Now()
		r := deployEnv(t, c, cfg, "--timeout", "2m", "-o", "json")
		took := time.Since(begun)
		mustCode(t, r, 5)
		if took > time.Minute {
			t.Errorf("%s: the deploy took %s: the object's timeout did not fire before the deploy's", tt.name, took)
		}
		var doc struct {
			Objects []struct {
				Object                    struct{ Kind string }
				TimedOut, Message, Status string
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range doc.Objects {
			if o.Object.Kind == "Deployment" {
				found = true
				if o.TimedOut != tt.by || o.Status != "Failed" || !strings.HasPrefix(o.Message, "not ready within") || !strings.Contains(o.Message, tt.by) {
					t.Errorf("%s: Deployment: timedOut %q, status %s, message %q; want %q", tt.name, o.TimedOut, o.Status, o.Message, tt.by)
				}
			}
		}
		if !found {
			t.Errorf("%s: no Deployment in the document", tt.name)
		}
	}
}

// TestBadObjectTimeout refuses an annotation that is not a duration before
// anything is written, naming the object.
func TestBadObjectTimeout(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.write(t, dir, c.Context(), ns)
	annotateDeployment(t, dir, "soon")
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 3)
	mustContain(t, "stderr", r.stderr, "Deployment/"+ns+"/api: annotation kship.dev/timeout: \"soon\" is not a duration")
	if imageIn(t, c, ns) != "" {
		t.Error("the Deployment was applied")
	}
}

// TestUnknownPhase refuses a kship.dev/phase that is not a phase (a typo
// would deploy the Job with the workloads), before any cluster is reached.
func TestUnknownPhase(t *testing.T) {
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.write(t, dir, "nowhere", "shop")
	withSmokeTest(t, dir, nil)
	editFile(t, filepath.Join(dir, "app/smoke.yaml"), "post-deploy", "postdeploy")
	r := run(t, "--config", cfg, "deploy", "test")
	mustCode(t, r, 3)
	mustContain(t, "stderr", r.stderr, `Job/shop/smoke: annotation kship.dev/phase: "postdeploy" is not a phase: want pre-deploy or post-deploy`)
}
