package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// withSmokeTest adds to the app in dir a post-deploy Job, "smoke", with the
// given pod annotations, running the app's image.
func withSmokeTest(t *testing.T, dir string, podAnnots map[string]string) {
	t.Helper()
	writeFile(t, dir, "app/smoke.yaml", fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata:
  name: smoke
  annotations: {kship.dev/phase: post-deploy}
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations: %s
    spec:
      restartPolicy: Never
      containers:
      - name: smoke
        image: api
        command: [bin/smoke-test]
`, annotations(podAnnots)))
	editFile(t, filepath.Join(dir, "app/kustomization.yaml"), "resources: [", "resources: [smoke.yaml, ")
}

// TestPostDeployJobRunsAfterTheWorkloads runs a smoke test once the
// Deployment is ready, and shows its logs.
func TestPostDeployJobRunsAfterTheWorkloads(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true, PodAnnots: map[string]string{testcluster.AnnotationReadyAfter: "1s"}}.write(t, dir, c.Context(), ns)
	withSmokeTest(t, dir, nil)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	workloadsDone := strings.Index(r.stderr, "phase workloads: done")
	smokeStarted := strings.Index(r.stderr, "phase post-deploy: applying 1 object")
	if workloadsDone < 0 || smokeStarted < workloadsDone {
		t.Errorf("the smoke test did not start after the workloads were ready (workloads done at %d, post-deploy at %d)", workloadsDone, smokeStarted)
	}
	mustContain(t, "stdout", r.stdout, "Job/"+ns+"/smoke", "post-deploy", "logs of smoke-")
	// The deploy may end on SuccessCriteriaMet, before the Job controller
	// has counted the pod; the count follows.
	waitFor(t, "the smoke Job's success to be counted", func(ctx context.Context) bool {
		job, err := c.Clientset().BatchV1().Jobs(ns).Get(ctx, "smoke", metav1.GetOptions{})
		return err == nil && job.Status.Succeeded == 1
	})
	// Nothing changed, and the smoke test still runs: it tests this
	// deploy, never passing on the last one's run.
	r = deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "logs of smoke-")
	mustContain(t, "stderr", r.stderr, "Job/"+ns+"/smoke recreated")
}

// TestPostDeployJobFails fails the deploy (exit 5) when the smoke test
// fails, naming it; with --rollback-on-failure the release is rolled back
// and the smoke test of the good revision is not run again.
func TestPostDeployJobFails(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.write(t, dir, c.Context(), ns)
	withSmokeTest(t, dir, nil)
	mustCode(t, deployEnv(t, c, cfg), 0)

	cfg = app{Replicas: 1, NoJob: true, Tag: "v2"}.write(t, dir, c.Context(), ns)
	withSmokeTest(t, dir, map[string]string{testcluster.AnnotationFail: "1"})
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 5)
	mustContain(t, "stderr", r.stderr, "phase post-deploy", "Job/"+ns+"/smoke")
	if got := imageIn(t, c, ns); got != "registry.example/api:v2" {
		t.Errorf("image = %q: without --rollback-on-failure the failed release stays", got)
	}

	cfg = app{Replicas: 1, NoJob: true, Tag: "v3"}.write(t, dir, c.Context(), ns)
	withSmokeTest(t, dir, map[string]string{testcluster.AnnotationFail: "1"})
	r = deployEnv(t, c, cfg, "--rollback-on-failure")
	mustCode(t, r, 5)
	mustContain(t, "stderr", r.stderr, "rolled back to revision 1")
	if got := imageIn(t, c, ns); got != "registry.example/api:v1" {
		t.Errorf("image after the rollback = %q, want v1", got)
	}
	if strings.Count(r.stderr, "phase post-deploy: applying") != 1 {
		t.Error("the rollback ran the smoke test again")
	}
}
