package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/status"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func statusOf(t *testing.T, c *testcluster.Cluster, cfg string) (result, *engine.StatusReport) {
	t.Helper()
	r := run(t, "--config", cfg, "status", "test", "--kubeconfig", c.Kubeconfig(), "-o", "json")
	t.Logf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	var doc engine.StatusReport
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("status -o json: %v", err)
	}
	return r, &doc
}

func objectStatus(doc *engine.StatusReport, kind, name string) (engine.ObjectStatus, bool) {
	for _, o := range doc.Objects {
		if o.Ref.Kind == kind && o.Ref.Name == name {
			return o, true
		}
	}
	return engine.ObjectStatus{}, false
}

// kship status compares the cluster with what the last deploy recorded: an
// object deleted by hand is NotFound (exit 5); a Job that deleted itself by
// its TTL after it succeeded is not a fault.
func TestStatusSeesWhatIsMissing(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{}.write(t, dir, c.Context(), ns)
	editFile(t, dir+"/app/job.yaml", "  backoffLimit: 0", "  backoffLimit: 0\n  ttlSecondsAfterFinished: 1")
	mustCode(t, deployEnv(t, c, cfg), 0)
	r, _ := statusOf(t, c, cfg)
	mustCode(t, r, 0)

	// The Job goes by its TTL (the TTL controller runs in the cluster).
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.Clientset().BatchV1().Jobs(ns).Get(context.Background(), "migrate", metav1.GetOptions{})
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Job was not deleted by its TTL within 30s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	r, doc := statusOf(t, c, cfg)
	mustCode(t, r, 0)
	if o, ok := objectStatus(doc, "Job", "migrate"); !ok || o.Status != status.Current || !strings.Contains(o.Message, "ttlSecondsAfterFinished") {
		t.Errorf("Job after its TTL: %+v (listed %v), want Current, deleted by its TTL", o, ok)
	}

	// A Deployment deleted by hand.
	if err := c.Clientset().AppsV1().Deployments(ns).Delete(context.Background(), "api", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	r, doc = statusOf(t, c, cfg)
	mustCode(t, r, 5)
	if o, ok := objectStatus(doc, "Deployment", "api"); !ok || o.Status != status.NotFound {
		t.Errorf("deleted Deployment: %+v (listed %v), want NotFound", o, ok)
	}
}

// A deploy killed long ago is not "in-progress" for ever: once its lock
// has expired, status calls it interrupted, and the next deploy records it so.
func TestKilledDeployIsInterruptedNotInProgress(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{NoJob: true}.write(t, t.TempDir(), c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	// What a deploy killed before it recorded its outcome leaves behind.
	k := kubeClient(t, c)
	inv := inventory.New(k, "test", ns)
	state, err := inv.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	state.Add(inventory.Record{Revision: state.Next(), Time: time.Now().Add(-time.Hour), By: "killed-job", Outcome: inventory.OutcomeInProgress})
	if err := inv.Write(context.Background(), state); err != nil {
		t.Fatal(err)
	}
	_, doc := statusOf(t, c, cfg)
	if doc.LastDeploy == nil || doc.LastDeploy.Outcome != inventory.OutcomeInterrupted {
		t.Errorf("last deploy = %+v, want interrupted (no lock is held)", doc.LastDeploy)
	}
	mustCode(t, deployEnv(t, c, cfg), 0)
	state, err = inv.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range state.History {
		if h.By == "killed-job" && h.Outcome != inventory.OutcomeInterrupted {
			t.Errorf("the killed deploy is recorded %q after the next deploy, want interrupted", h.Outcome)
		}
	}
}
