package inventory

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestIDMatchesKubectl(t *testing.T) {
	// kubectl's own test vector: parent Secret my-set in namespace test.
	if got, want := ID("my-set", "test"), "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1"; got != want {
		t.Errorf("ID = %q, want %q", got, want)
	}
}

func TestGroupKindsRoundTrip(t *testing.T) {
	gks := map[schema.GroupKind]bool{{Group: "apps", Kind: "Deployment"}: true, {Kind: "ConfigMap"}: true, {Group: "batch", Kind: "Job"}: true}
	s := formatGKs(gks)
	if s != "ConfigMap,Deployment.apps,Job.batch" {
		t.Errorf("formatGKs = %q", s)
	}
	if diff := cmp.Diff(gks, parseGKs(s)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if got := formatSet(map[string]bool{"b": true, "a": true, "home": true}, "home"); got != "a,b" {
		t.Errorf("formatSet = %q, want the parent's namespace left out", got)
	}
}

func TestLabelCopies(t *testing.T) {
	inv := &Inventory{ID: "applyset-x-v1"}
	o := &unstructured.Unstructured{Object: map[string]any{"kind": "ConfigMap", "metadata": map[string]any{"name": "c"}}}
	got := inv.Label([]*unstructured.Unstructured{o})
	if got[0].GetLabels()[LabelPartOf] != "applyset-x-v1" {
		t.Errorf("labels = %v", got[0].GetLabels())
	}
	if o.GetLabels() != nil {
		t.Error("Label changed its input")
	}
}

func TestRollbackTarget(t *testing.T) {
	at := time.Unix(0, 0)
	rec := func(rev int, outcome string, saved bool) Record {
		return Record{Revision: rev, Outcome: outcome, Saved: saved, Time: at}
	}
	tests := []struct {
		name     string
		history  []Record
		want     int // 0: none
		lastGood int
	}{
		{"after a failure, the last good", []Record{rec(1, OutcomeReady, true), rec(2, OutcomeReady, true), rec(3, OutcomeFailed, false)}, 2, 2},
		{"after a success, the good one before", []Record{rec(1, OutcomeReady, true), rec(2, OutcomeReady, true)}, 1, 2},
		{"unsaved ones are skipped", []Record{rec(1, OutcomeReady, true), rec(2, OutcomeReady, false), rec(3, OutcomeFailed, false)}, 1, 1},
		{"nothing to go back to", []Record{rec(1, OutcomeReady, true)}, 0, 1},
		{"a revision rolled back to is good: the one before it is the target", []Record{rec(1, OutcomeReady, true), rec(2, OutcomeFailed, false), rec(3, OutcomeRolledBack, true)}, 1, 3},
		{"after rolling back, a failure returns to what was rolled back to", []Record{rec(1, OutcomeReady, true), rec(2, OutcomeReady, true), rec(3, OutcomeRolledBack, true), rec(4, OutcomeFailed, false)}, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &State{History: tt.history}
			got := 0
			if r := s.RollbackTarget(); r != nil {
				got = r.Revision
			}
			if got != tt.want {
				t.Errorf("RollbackTarget = %d, want %d", got, tt.want)
			}
			lg := 0
			if r := s.LastGood(); r != nil {
				lg = r.Revision
			}
			if lg != tt.lastGood {
				t.Errorf("LastGood = %d, want %d", lg, tt.lastGood)
			}
		})
	}
}

func TestHistoryBounded(t *testing.T) {
	s := &State{}
	for i := 1; i <= maxHistory+5; i++ {
		s.Add(Record{Revision: s.Next(), Outcome: OutcomeReady})
	}
	if len(s.History) != maxHistory || s.Last().Revision != maxHistory+5 || s.Next() != maxHistory+6 {
		t.Errorf("history %d long, last %d, next %d", len(s.History), s.Last().Revision, s.Next())
	}
	s.Add(Record{Revision: maxHistory + 5, Outcome: OutcomeFailed})
	if s.Last().Outcome != OutcomeFailed || len(s.History) != maxHistory {
		t.Error("Add of an existing revision must replace it")
	}
}
