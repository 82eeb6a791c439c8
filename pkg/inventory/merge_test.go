package inventory

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func ref(name string) object.Ref { return object.Ref{Kind: "ConfigMap", Namespace: "shop", Name: name} }

// state is a State as read: base is what it holds.
func state(members []string, gks []string, history ...Record) *State {
	s := newState("shop")
	for _, m := range members {
		s.Members[ref(m)] = Recorded{}
	}
	for _, g := range gks {
		s.GroupKinds[schema.ParseGroupKind(g)] = true
	}
	s.History = history
	s.base = s.snap()
	return s
}

func names(m map[object.Ref]Recorded) []string {
	var out []string
	for r := range m {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return out
}

// A write that conflicts with another process's keeps what that process
// wrote and what this one changed, and brings back nothing either removed.
func TestMergeAppliesOnlyThisWritersChanges(t *testing.T) {
	tests := []struct {
		name         string
		mine, theirs func() *State
		wantMembers  []string
		wantGKs      []string
		wantRevs     []int
	}{
		{
			name: "a prune here is not undone by the other's copy",
			mine: func() *State {
				s := state([]string{"a", "old"}, []string{"ConfigMap", "Service"}, Record{Revision: 1})
				delete(s.Members, ref("old"))
				delete(s.GroupKinds, schema.ParseGroupKind("Service"))
				return s
			},
			theirs: func() *State {
				return state([]string{"a", "old"}, []string{"ConfigMap", "Service"}, Record{Revision: 1})
			},
			wantMembers: []string{"a"}, wantGKs: []string{"ConfigMap"}, wantRevs: []int{1},
		},
		{
			name: "what the other added is kept",
			mine: func() *State {
				s := state([]string{"a"}, []string{"ConfigMap"}, Record{Revision: 1})
				s.Members[ref("mine")] = Recorded{}
				s.Add(Record{Revision: 2, Outcome: OutcomeInProgress})
				return s
			},
			theirs: func() *State {
				return state([]string{"a", "theirs"}, []string{"ConfigMap", "Deployment.apps"}, Record{Revision: 1}, Record{Revision: 3, Outcome: OutcomeReady})
			},
			wantMembers: []string{"a", "mine", "theirs"}, wantGKs: []string{"ConfigMap", "Deployment.apps"}, wantRevs: []int{1, 2, 3},
		},
		{
			name: "what the other removed stays removed",
			mine: func() *State {
				s := state([]string{"a", "gone"}, []string{"ConfigMap"}, Record{Revision: 1})
				s.Add(Record{Revision: 2, Outcome: OutcomeReady})
				return s
			},
			theirs:      func() *State { return state([]string{"a"}, []string{"ConfigMap"}, Record{Revision: 1}) },
			wantMembers: []string{"a"}, wantGKs: []string{"ConfigMap"}, wantRevs: []int{1, 2},
		},
		{
			name: "this writer's record of its revision wins",
			mine: func() *State {
				s := state(nil, nil, Record{Revision: 1, Outcome: OutcomeInProgress})
				s.Add(Record{Revision: 1, Outcome: OutcomeFailed})
				return s
			},
			theirs:   func() *State { return state(nil, nil, Record{Revision: 1, Outcome: OutcomeInterrupted}) },
			wantRevs: []int{1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.mine()
			s.merge(tt.theirs())
			if diff := cmp.Diff(tt.wantMembers, names(s.Members)); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			var gks []string
			for gk := range s.GroupKinds {
				gks = append(gks, gk.String())
			}
			sort.Strings(gks)
			if diff := cmp.Diff(tt.wantGKs, gks); diff != "" {
				t.Errorf("group-kinds (-want +got):\n%s", diff)
			}
			var revs []int
			for _, h := range s.History {
				revs = append(revs, h.Revision)
			}
			if diff := cmp.Diff(tt.wantRevs, revs); diff != "" {
				t.Errorf("revisions (-want +got):\n%s", diff)
			}
		})
	}
	s := state(nil, nil, Record{Revision: 1, Outcome: OutcomeInProgress})
	s.Add(Record{Revision: 1, Outcome: OutcomeFailed})
	s.merge(state(nil, nil, Record{Revision: 1, Outcome: OutcomeInterrupted}))
	if got := s.History[0].Outcome; got != OutcomeFailed {
		t.Errorf("outcome of this writer's revision = %q, want %q", got, OutcomeFailed)
	}
}
