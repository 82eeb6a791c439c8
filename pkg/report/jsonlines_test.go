package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/wait"
)

// Every event is one line of JSON with its time and type, and the fields
// tools need: the object, its action or status, and why.
func TestJSONLines(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	j := &JSONLines{W: &buf, Now: func() time.Time { return at }}
	ref := object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}
	j.Event(event.Event{Type: event.DeployStarted, Target: "stage", Objects: 9, Context: "stage", Server: "https://api.stage:6443", DryRun: true})
	j.Event(event.Event{Type: event.PhaseStarted, Phase: "workloads", Objects: 2, Elapsed: 2 * time.Second})
	j.Event(event.Event{Type: event.ObjectApplied, Phase: "workloads", Applied: &apply.Result{Ref: ref, Action: apply.Configured}})
	j.Event(event.Event{Type: event.StatusChanged, Phase: "workloads", Update: &wait.Update{Ref: ref, Status: status.InProgress,
		Message: "1 of 3 updated", Elapsed: 1500 * time.Millisecond}})
	j.Event(event.Event{Type: event.LockWaiting, Holder: "job-7", Since: at.Add(-time.Minute)})
	j.Event(event.Event{Type: event.Kept, Object: object.Ref{Kind: "ConfigMap", Namespace: "shop", Name: "cfg-1"}, Reason: "rollout undo"})
	j.Event(event.Event{Type: event.RollbackFailed, Revision: 4, Failed: 5, Mixed: true, Error: "timed out"})

	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("%d lines, want 7:\n%s", len(lines), buf.String())
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		if m["time"] != "2026-12-02T10:00:00Z" {
			t.Errorf("time %v in %s", m["time"], l)
		}
		got = append(got, m)
	}
	check := func(i int, key string, want any) {
		t.Helper()
		if got[i][key] != want {
			t.Errorf("line %d: %s = %v, want %v (%s)", i, key, got[i][key], want, lines[i])
		}
	}
	check(0, "type", "deploy-started")
	check(0, "target", "stage")
	check(0, "context", "stage")
	check(0, "server", "https://api.stage:6443")
	check(0, "dryRun", true)
	got = got[1:]
	lines = lines[1:]
	check(0, "type", "phase-started")
	check(0, "objects", float64(2))
	check(0, "elapsedSeconds", float64(2))
	check(1, "action", "configured")
	if o, _ := got[1]["object"].(map[string]any); o["name"] != "api" || o["kind"] != "Deployment" {
		t.Errorf("line 1: object %v", got[1]["object"])
	}
	check(2, "status", "InProgress")
	check(2, "elapsedSeconds", 1.5)
	check(3, "holder", "job-7")
	check(3, "since", "2026-12-02T09:59:00Z")
	check(4, "reason", "rollout undo")
	check(5, "mixed", true)
	check(5, "failedRevision", float64(5))
}

// The engine's events read in text as they did as notes.
func TestDescribeEngineEvents(t *testing.T) {
	cm := object.Ref{Kind: "ConfigMap", Namespace: "shop", Name: "old"}
	for _, c := range []struct {
		e    event.Event
		want string
	}{
		{event.Event{Type: event.DeployStarted, Target: "stage", Objects: 7, Context: "stage", Server: "https://api.stage:6443"},
			`deploying stage (7 objects) to context "stage" (https://api.stage:6443)`},
		{event.Event{Type: event.DeployStarted, Target: "prod", Objects: 1, DryRun: true, Context: "prod", Server: "https://api.prod:6443"},
			`dry run of prod (1 object) to context "prod"`},
		{event.Event{Type: event.Pruned, Object: cm}, "ConfigMap/shop/old pruned"},
		{event.Event{Type: event.Kept, Object: cm, Reason: "kship.dev/prune: disabled"}, "ConfigMap/shop/old kept: kship.dev/prune: disabled"},
		{event.Event{Type: event.PruneHeld, Object: cm}, "ConfigMap/shop/old is still being deleted"},
		{event.Event{Type: event.LockWaiting, Holder: "first", Since: time.Unix(0, 0)}, "waiting for the deploy lock, held by first since"},
		{event.Event{Type: event.RollbackFailed, Revision: 2, Failed: 3, Error: "boom"}, "it changed nothing; the environment runs the failed revision 3"},
		{event.Event{Type: event.RollbackDone, Revision: 2, Failed: 3}, "rolled back to revision 2: revision 3 failed"},
		{event.Event{Type: event.RecordFailed, Revision: 3, Error: "forbidden"}, "could not record revision 3 in the inventory: forbidden"},
	} {
		if got := describe(c.e); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want it to contain %q", c.e.Type, got, c.want)
		}
	}
}
