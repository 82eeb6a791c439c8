package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/report"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDeployThenRedeployUnchanged(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{}.write(t, dir, c.Context(), ns)
	junit := filepath.Join(dir, "junit.xml")

	r := deployEnv(t, c, cfg, "--report", "junit="+junit)
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Job/"+ns+"/migrate", "pre-deploy", "Deployment/"+ns+"/api", "Current")
	// The migration finished before the workload phase began.
	jobDone := strings.Index(r.stderr, "phase pre-deploy: done")
	workloads := strings.Index(r.stderr, "phase workloads: applying")
	if jobDone < 0 || workloads < jobDone {
		t.Errorf("the Deployment's phase began before the migration Job finished")
	}
	if b, err := os.ReadFile(junit); err != nil || !strings.Contains(string(b), `failures="0"`) {
		t.Errorf("junit report: %v\n%s", err, b)
	}

	before := versions(t, c, ns)
	r = deployEnv(t, c, cfg, "-o", "json")
	mustCode(t, r, 0)
	var doc report.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("-o json: %v", err)
	}
	if doc.Outcome != "ready" {
		t.Errorf("outcome = %q, want ready", doc.Outcome)
	}
	for _, o := range doc.Objects {
		if o.Action != "unchanged" {
			t.Errorf("%s: %s on a re-deploy with no change, want unchanged", o.Ref, o.Action)
		}
	}
	if diff := cmp.Diff(before, versions(t, c, ns)); diff != "" {
		t.Errorf("a re-deploy with no change wrote to the cluster (-before +after):\n%s", diff)
	}
}

func TestConfigMapChangeRollsDeployment(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	mustCode(t, deployEnv(t, c, app{NoJob: true}.write(t, dir, c.Context(), ns)), 0)

	r := deployEnv(t, c, app{NoJob: true, Env: "changed"}.write(t, dir, c.Context(), ns))
	mustCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "Deployment/"+ns+"/api configured")
	d, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rev := d.Annotations["deployment.kubernetes.io/revision"]; rev != "2" {
		t.Errorf("revision = %q, want 2: a ConfigMap-only change must roll the Deployment", rev)
	}
}

func TestMigrationJobRecreatedOnImageChange(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{}.write(t, dir, c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	ctx := context.Background()
	old, err := c.Clientset().BatchV1().Jobs(ns).Get(ctx, "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}

	r := deployEnv(t, c, cfg, "--image", "api=registry.example/api:v2")
	mustCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "Job/"+ns+"/migrate recreated")
	job, err := c.Clientset().BatchV1().Jobs(ns).Get(ctx, "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.UID == old.UID {
		t.Error("the Job was not recreated")
	}
	if img := job.Spec.Template.Spec.Containers[0].Image; img != "registry.example/api:v2" {
		t.Errorf("job image = %q", img)
	}
}

func TestFailingMigrationStopsBeforeWorkload(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{JobAnnots: map[string]string{"kwok.kship.dev/fail": "2"}}.write(t, t.TempDir(), c.Context(), ns)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 5)
	mustContain(t, "output", r.stdout+r.stderr, "Job/"+ns+"/migrate", "BackoffLimitExceeded", "not applied")
	if deploymentExists(t, c, ns) {
		t.Error("the Deployment was applied although the migration failed")
	}
}

func TestFailuresExplainedFast(t *testing.T) {
	c := testcluster.Require(t)
	tests := []struct {
		name  string
		app   app
		wants []string
	}{
		{"image pull", app{Image: "registry.invalid/api", Tag: "missing"}, []string{"container api", "ImagePullBackOff|ErrImagePull", "registry.invalid/api:missing"}},
		{"crash loop", app{PodAnnots: map[string]string{"kwok.kship.dev/crash": "3"}}, []string{"container api", "CrashLoopBackOff", "exit code 3"}},
		{"oom", app{PodAnnots: map[string]string{"kwok.kship.dev/oom": "true"}}, []string{"container api", "OOMKilled", "exit code 137"}},
		{"unschedulable", app{CPU: "500"}, []string{"Unschedulable", "Insufficient cpu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ns := c.Namespace(t)
			tt.app.NoJob = true
			cfg := tt.app.write(t, t.TempDir(), c.Context(), ns)
			start := time.Now()
			r := deployEnv(t, c, cfg)
			took := time.Since(start)
			mustCode(t, r, 5)
			out := r.stdout + r.stderr
			mustContain(t, "output", out, "Deployment/"+ns+"/api", "pod api-")
			for _, w := range tt.wants {
				if !containsAny(out, strings.Split(w, "|")) {
					t.Errorf("output lacks %q", w)
				}
			}
			// Fail fast: the root cause ends the wait, not the 60 s timeout.
			if took > 30*time.Second {
				t.Errorf("took %s: the failure was not noticed before the timeout", took)
			}
		})
	}
}

func TestNeverReadyTimesOutWithReason(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{NoJob: true, PodAnnots: map[string]string{"kwok.kship.dev/never-ready": "true"}}.write(t, t.TempDir(), c.Context(), ns)
	r := deployEnv(t, c, cfg, "--timeout", "4s")
	mustCode(t, r, 5)
	mustContain(t, "output", r.stdout+r.stderr, "timed out", "NotReady", "container api")
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestConflictNamesManagerAndForceTakesOwnership(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{NoJob: true}.write(t, t.TempDir(), c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)

	handEditReplicas(t, c, ns)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "Deployment/"+ns+"/api", `"hand-edit"`, ".spec.replicas", "--force-conflicts")

	mustCode(t, deployEnv(t, c, cfg, "--force-conflicts"), 0)
}

func TestWrongContextWritesNothing(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	app{}.write(t, dir, c.Context(), ns)
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  test:\n    overlay: app\n    context: prod\n    namespace: "+ns+"\n")
	for _, extra := range [][]string{nil, {"--context", c.Context()}} {
		r := deployEnv(t, c, cfg, extra...)
		mustCode(t, r, 4)
		mustContain(t, "stderr", r.stderr, `refusing to deploy environment "test"`, "nothing was changed")
	}
	if v := versions(t, c, ns); len(v) != 0 {
		t.Errorf("objects were written despite the guard: %v", v)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{}.write(t, t.TempDir(), c.Context(), ns)
	r := deployEnv(t, c, cfg, "--dry-run", "-o", "json")
	mustCode(t, r, 0)
	var doc report.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Outcome != "dry-run" || len(doc.Objects) != 4 {
		t.Errorf("outcome %q with %d objects, want dry-run with 4", doc.Outcome, len(doc.Objects))
	}
	for _, o := range doc.Objects {
		if o.Action != "created" {
			t.Errorf("%s: %s, want created", o.Ref, o.Action)
		}
	}
	if v := versions(t, c, ns); len(v) != 0 {
		t.Errorf("a dry run wrote objects: %v", v)
	}
}
