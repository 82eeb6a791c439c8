package wait

import (
	"time"

	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
)

// Update is a change in one object's state, for progress output.
type Update struct {
	Ref     object.Ref
	Status  status.Status
	Message string
	// Problems are its pods' problems, most important first.
	Problems []status.Problem
	// Elapsed is the time since the wait began.
	Elapsed time.Duration
}

// Outcome is where one object ended up.
type Outcome struct {
	Ref      object.Ref
	Status   status.Status
	Message  string
	Problems []status.Problem
	// Logs holds log lines worth showing: a finished Job's output, or the
	// last lines of a crashing container, keyed by "pod/container".
	Logs map[string][]string
	// Elapsed is how long the object took to reach its state.
	Elapsed time.Duration
	// TimedOut, when set, says that the object's own timeout fired, and
	// what set it.
	TimedOut string
}

// Ready reports whether the object reached Current.
func (o Outcome) Ready() bool { return o.Status == status.Current }

// Settled reports whether waiting longer would not tell more: the object is
// Current, or Unknown (kship cannot judge its kind; the message says what it
// saw). A wait ends without error once every object is settled.
func (o Outcome) Settled() bool { return o.Status == status.Current || o.Status == status.Unknown }
