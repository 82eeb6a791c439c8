package inventory

import (
	"sort"
	"time"
)

// maxHistory bounds the records kept on the parent.
const maxHistory = 20

// Outcomes of a deploy in the history.
const (
	OutcomeInProgress = "in-progress"
	OutcomeReady      = "ready"
	OutcomeFailed     = "failed"
	OutcomeRolledBack = "rolled-back"
	// OutcomeInterrupted is a deploy that stopped without recording how it
	// ended (killed, or cut off): the next deploy to hold the lock says so.
	OutcomeInterrupted = "interrupted"
)

// Record is one deploy in an environment's history.
type Record struct {
	Revision int       `json:"revision"`
	Time     time.Time `json:"time"`
	By       string    `json:"by,omitempty"`
	Images   []string  `json:"images,omitempty"`
	Outcome  string    `json:"outcome"`
	Objects  int       `json:"objects"`
	// Saved is true when the deploy's manifests are stored for rollback.
	Saved bool `json:"saved,omitempty"`
	// RollbackOf is the revision a rollback returned to.
	RollbackOf int `json:"rollbackOf,omitempty"`
}

// good reports whether the revision ended ready: deployed, or rolled back to.
func (r *Record) good() bool { return r.Outcome == OutcomeReady || r.Outcome == OutcomeRolledBack }

// Next returns the revision number of the next deploy.
func (s *State) Next() int {
	if n := len(s.History); n > 0 {
		return s.History[n-1].Revision + 1
	}
	return 1
}

// Add appends r, or replaces the record of the same revision, keeping the
// history bounded. The revision counts as this process's when the parent is
// written (see Write).
func (s *State) Add(r Record) {
	if s.mine == nil {
		s.mine = map[int]bool{}
	}
	s.mine[r.Revision] = true
	s.add(r)
}

func (s *State) add(r Record) {
	for i := range s.History {
		if s.History[i].Revision == r.Revision {
			s.History[i] = r
			return
		}
	}
	s.History = append(s.History, r)
	if len(s.History) > maxHistory {
		s.History = s.History[len(s.History)-maxHistory:]
	}
}

// Last returns the newest record, or nil.
func (s *State) Last() *Record {
	if len(s.History) == 0 {
		return nil
	}
	return &s.History[len(s.History)-1]
}

// RollbackTarget returns the newest saved good revision (ready, or rolled
// back to) other than the one now in place when that one is good: after a
// failed deploy, the last good one; after a good one, the good one before it.
func (s *State) RollbackTarget() *Record {
	skipCurrent := false
	if last := s.Last(); last != nil && last.good() {
		skipCurrent = true
	}
	for i := len(s.History) - 1; i >= 0; i-- {
		r := &s.History[i]
		if !r.good() || !r.Saved {
			continue
		}
		if skipCurrent {
			skipCurrent = false
			continue
		}
		return r
	}
	return nil
}

// LastGood returns the newest saved good revision (ready, or rolled back
// to), or nil.
func (s *State) LastGood() *Record {
	for i := len(s.History) - 1; i >= 0; i-- {
		if r := &s.History[i]; r.good() && r.Saved {
			return r
		}
	}
	return nil
}

func sortHistory(h []Record) {
	sort.SliceStable(h, func(i, j int) bool { return h[i].Revision < h[j].Revision })
}
