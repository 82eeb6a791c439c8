package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/wait"
)

// The same object waited on in two clusters is two lines of the block, and
// one cluster's next phase does not drop the other's.
func TestLiveKeepsClustersApart(t *testing.T) {
	var b bytes.Buffer
	clock := time.Unix(1000, 0)
	l := &Live{W: &b, Now: func() time.Time { return clock }, Tick: time.Hour}
	ref := object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}
	for _, c := range []string{"blue", "green"} {
		l.Event(event.Event{Type: event.StatusChanged, Cluster: c, Update: &wait.Update{Ref: ref, Status: status.InProgress, Message: "0 of 1"}})
	}
	l.Event(event.Event{Type: event.PhaseDone, Cluster: "blue", Phase: deploy.PhaseWorkloads})
	l.Close()
	want := "\x1b[2m⧗ [blue] Deployment/shop/api: 0 of 1 [0s]\x1b[0m\n" +
		"\x1b[1A\x1b[J\x1b[2m⧗ [blue] Deployment/shop/api: 0 of 1 [0s]\x1b[0m\n\x1b[2m⧗ [green] Deployment/shop/api: 0 of 1 [0s]\x1b[0m\n" +
		"\x1b[2A\x1b[J[blue] phase workloads: done\n\x1b[2m⧗ [green] Deployment/shop/api: 0 of 1 [0s]\x1b[0m\n" +
		"\x1b[1A\x1b[J"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestClustersReports(t *testing.T) {
	ref := object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}
	ready := &engine.Result{Revision: 4, Deploy: &deploy.Result{Duration: 2 * time.Second,
		Objects: []deploy.ObjectResult{{Ref: ref, Phase: deploy.PhaseWorkloads, Action: "configured", Status: status.Current}}}}
	cs := []ClusterOutcome{
		{Cluster: "blue", Target: "prod/blue", Context: "prod", Outcome: "ready", Result: ready},
		{Cluster: "green", Target: "prod/green", Context: "prod-next", Outcome: "apply-failed", Err: errors.New("refusing to deploy: wrong cluster")},
		{Cluster: "red", Target: "prod/red", Context: "prod-red", Outcome: NotAttempted},
	}
	var text bytes.Buffer
	if err := Clusters(&text, cs); err != nil {
		t.Fatal(err)
	}
	want := "CLUSTER  CONTEXT    OUTCOME        REVISION  TIME\n" +
		"blue     prod       ready          4         2s\n" +
		"green    prod-next  apply-failed   -         -\n" +
		"red      prod-red   not-attempted  -         -\n"
	if diff := cmp.Diff(want, text.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}

	var x bytes.Buffer
	if err := JUnitClusters(&x, "prod", cs); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`<testsuites name="kship deploy prod" tests="3" failures="1"`, `<testsuite name="prod/blue" tests="1" failures="0" skipped="0" time="2.000">`,
		`classname="kship.prod.blue.workloads"`, `<testsuite name="prod/green" tests="1" failures="1"`, `<failure message="refusing to deploy: wrong cluster" type="apply-failed">`,
		`<testsuite name="prod/red" tests="1" failures="0" skipped="1"`, `not attempted: the deploy stopped before this cluster`} {
		if !strings.Contains(x.String(), w) {
			t.Errorf("JUnit lacks %s:\n%s", w, x.String())
		}
	}

	doc := NewClustersDocument("prod", "apply-failed", false, cs, errors.New("boom"))
	if doc.Environment != "prod" || len(doc.Clusters) != 3 || doc.Clusters[0].Revision != 4 || len(doc.Clusters[0].Objects) != 1 ||
		doc.Clusters[1].Error == "" || doc.Clusters[2].Outcome != NotAttempted || len(doc.Objects) != 0 {
		t.Errorf("document = %+v", doc)
	}
}
