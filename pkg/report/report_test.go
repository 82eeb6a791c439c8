package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/internal/golden"
	"github.com/kship/kship/internal/junit"
	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/prune"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/wait"
)

func exit(n int32) *int32 { return &n }

func failed() *deploy.Result {
	return &deploy.Result{
		Duration:  4200 * time.Millisecond,
		StoppedIn: deploy.PhaseWorkloads,
		Objects: []deploy.ObjectResult{
			{Ref: object.Ref{Kind: "Namespace", Name: "shop"}, Phase: deploy.PhaseNamespaces, Action: apply.Unchanged, Status: status.Current, Message: "namespace is active", Duration: 10 * time.Millisecond},
			{Ref: object.Ref{Kind: "ConfigMap", Namespace: "shop", Name: "api-config-h2k"}, Phase: deploy.PhaseConfig, Action: apply.Created, Status: status.Current, Duration: 5 * time.Millisecond},
			{Ref: object.Ref{Group: "batch", Kind: "Job", Namespace: "shop", Name: "api-migrate"}, Phase: deploy.PhasePreDeploy, Action: apply.Recreated, Status: status.Current, Message: `job "api-migrate" completed`, Duration: 1500 * time.Millisecond,
				Logs: map[string][]string{"api-migrate-x1/migrate": {"== 20261121 AddIndex: migrating", "== 20261121 AddIndex: migrated"}}},
			{Ref: object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}, Phase: deploy.PhaseWorkloads, Action: apply.Configured, Status: status.Failed,
				Message:  `Waiting for deployment "api" rollout to finish: 0 of 2 updated replicas are available...`,
				Problems: []status.Problem{{Pod: "api-7d9f-x2", Container: "api", Reason: "CrashLoopBackOff", ExitCode: exit(3), ExitReason: "Error", Restarts: 4, Fatal: true}},
				Logs:     map[string][]string{"api-7d9f-x2/api": {"panic: DATABASE_URL is not set"}}, Duration: 2 * time.Second},
			{Ref: object.Ref{Group: "ops.kship.dev", Kind: "Database", Namespace: "shop", Name: "orders"}, Phase: deploy.PhaseWorkloads, Action: apply.Created, Status: status.Unknown,
				Message: `kship cannot judge database "orders": its status (phase "Provisioning", endpoint) has neither a condition kship knows (Ready, Available, ...) nor an observedGeneration`, Duration: 40 * time.Millisecond},
			{Ref: object.Ref{Group: "autoscaling", Kind: "HorizontalPodAutoscaler", Namespace: "shop", Name: "api"}, Phase: deploy.PhaseWorkloads, Error: "HorizontalPodAutoscaler/shop/api: apply failed: forbidden\nmore"},
		},
	}
}

func TestSummary(t *testing.T) {
	var b bytes.Buffer
	if err := Summary(&b, failed()); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/summary.golden", b.Bytes())
}

func TestJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, "prod", failed(), nil); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/junit.golden", b.Bytes())
	var doc junit.Suites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not valid XML: %v", err)
	}
	if doc.Tests != 6 || doc.Failures != 2 {
		t.Errorf("tests=%d failures=%d, want 6 and 2", doc.Tests, doc.Failures)
	}
	if s := doc.Suites[len(doc.Suites)-1]; s.Skipped != 1 || s.Cases[1].Skipped == nil {
		t.Errorf("the Unknown custom resource is not a skipped case: %+v", s)
	}
}

func TestLines(t *testing.T) {
	var b bytes.Buffer
	l := &Lines{W: &b, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	ref := object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}
	l.Event(event.Event{Type: event.PhaseStarted, Phase: deploy.PhaseWorkloads, Objects: 1})
	l.Event(event.Event{Type: event.ObjectApplied, Applied: &apply.Result{Ref: ref, Action: apply.Configured}})
	l.Event(event.Event{Type: event.StatusChanged, Update: &wait.Update{Ref: ref, Status: status.InProgress,
		Message:  "Waiting for deployment \"api\" rollout to finish:\n 0 of 1 updated replicas are available...",
		Problems: []status.Problem{{Pod: "api-1", Container: "api", Reason: "ImagePullBackOff", Message: `Back-off pulling image "registry.invalid/api:missing"`, Fatal: true}}}})
	l.Event(event.Event{Type: event.PhaseDone, Phase: deploy.PhaseWorkloads})
	got := b.String()
	if strings.Count(got, "\n") != 4 {
		t.Errorf("want 4 lines, one per event:\n%s", got)
	}
	golden.Assert(t, "testdata/lines.golden", b.Bytes())
}

func TestLiveRedrawsOnlyTheWaitingBlock(t *testing.T) {
	var b bytes.Buffer
	clock := time.Unix(1000, 0)
	l := &Live{W: &b, Now: func() time.Time { return clock }, Tick: time.Hour}
	ref := object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}
	l.Event(event.Event{Type: event.PhaseStarted, Phase: deploy.PhaseWorkloads, Objects: 1})
	l.Event(event.Event{Type: event.StatusChanged, Update: &wait.Update{Ref: ref, Status: status.InProgress, Message: "0 of 1", Elapsed: time.Second}})
	clock = clock.Add(time.Second)
	l.Event(event.Event{Type: event.StatusChanged, Update: &wait.Update{Ref: ref, Status: status.InProgress, Message: "1 of 2", Elapsed: 2 * time.Second}})
	l.Event(event.Event{Type: event.StatusChanged, Update: &wait.Update{Ref: ref, Status: status.Current, Message: "rolled out", Elapsed: 3 * time.Second}})
	cr := object.Ref{Group: "ops.kship.dev", Kind: "Database", Namespace: "shop", Name: "orders"}
	l.Event(event.Event{Type: event.StatusChanged, Update: &wait.Update{Ref: cr, Status: status.Unknown, Message: "kship cannot judge it"}})
	l.Close()
	want := "phase workloads: applying 1 object\n" +
		"\x1b[2m⧗ Deployment/shop/api: 0 of 1 [1s]\x1b[0m\n" +
		"\x1b[1A\x1b[J\x1b[2m⧗ Deployment/shop/api: 1 of 2 [2s]\x1b[0m\n" +
		"\x1b[1A\x1b[JDeployment/shop/api: rolled out\n" +
		"Database/shop/orders: kship cannot judge it\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The block's timer ticks while nothing happens, and its lines are cut to
// the terminal's width so that a redraw covers exactly what it drew.
func TestLiveTicksAndFitsTheTerminal(t *testing.T) {
	var b syncBuffer
	var mu sync.Mutex
	clock := time.Unix(1000, 0)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	l := &Live{W: &b, Now: now, Tick: 5 * time.Millisecond, Width: func() int { return 40 }}
	ref := object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}
	l.Event(event.Event{Type: event.StatusChanged, Update: &wait.Update{Ref: ref, Status: status.InProgress,
		Message: "Waiting for deployment \"api\" rollout to finish: 1 of 2 updated replicas are available..."}})
	mu.Lock()
	clock = clock.Add(7 * time.Second)
	mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.String(), "[7s]") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	l.Close()
	out := b.String()
	if !strings.Contains(out, "[7s]") {
		t.Fatalf("the timer did not tick with no event; last draw:\n%q", out[max(0, len(out)-200):])
	}
	for _, line := range strings.Split(out, "\n") {
		line = strings.NewReplacer("\x1b[2m", "", "\x1b[0m", "", "\x1b[1A", "", "\x1b[J", "").Replace(line)
		if n := utf8.RuneCountInString(line); n >= 40 {
			t.Errorf("a block line of %d columns on a 40-column terminal: %q", n, line)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the Live view's ticker goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The -o json document is pinned: a change to it shows here, and must
// keep the fields tools read (or bump DocumentVersion).
func TestDocumentGolden(t *testing.T) {
	res := &engine.Result{Revision: 7, Deploy: failed(),
		Pruned:        []object.Ref{{Kind: "ConfigMap", Namespace: "shop", Name: "api-config-old"}},
		KeptFromPrune: []prune.Kept{{Ref: object.Ref{Kind: "ConfigMap", Namespace: "shop", Name: "api-config-h1"}, Reason: "a ReplicaSet kept for rollout undo uses it"}},
		Rollback: &engine.RollbackReport{To: 6, Revision: 8, Outcome: engine.RollbackFailed, Reason: "phase workloads: not ready", Mixed: true,
			Result: &deploy.Result{Duration: time.Second, Objects: []deploy.ObjectResult{
				{Ref: object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}, Phase: deploy.PhaseWorkloads, Action: apply.Configured, Status: status.InProgress}}}},
	}
	var b bytes.Buffer
	if err := JSON(&b, NewDocument("prod", "rollback-failed", res, errors.New("deploy prod failed"))); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/deploy.json.golden", b.Bytes())
}

func TestJSONCarriesUnknown(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, NewDocument("prod", "not-ready", &engine.Result{Deploy: failed()}, nil)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Objects []struct {
			Object  object.Ref    `json:"object"`
			Status  status.Status `json:"status"`
			Message string        `json:"message"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not valid JSON: %v\n%s", err, b.String())
	}
	o := doc.Objects[4]
	if o.Object.Kind != "Database" || o.Status != status.Unknown || !strings.HasPrefix(o.Message, "kship cannot judge") {
		t.Errorf("objects[4] = %+v, want the Database, Unknown, with what kship saw", o)
	}
}
