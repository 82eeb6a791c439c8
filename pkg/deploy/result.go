package deploy

import (
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/wait"
)

// ObjectResult is what happened to one object.
type ObjectResult struct {
	Ref      apply.Ref           `json:"object"`
	Phase    string              `json:"phase"`
	Action   apply.Action        `json:"action,omitempty"`
	Status   status.Status       `json:"status,omitempty"`
	Message  string              `json:"message,omitempty"`
	Problems []status.Problem    `json:"problems,omitempty"`
	Logs     map[string][]string `json:"logs,omitempty"`
	// Error is why the apply of this object failed.
	Error string `json:"error,omitempty"`
	// Duration is the time from the start of its phase until it was ready
	// (or failed).
	Duration time.Duration `json:"durationNanos"`
}

// Ready reports whether the object was applied and became Current.
func (r ObjectResult) Ready() bool { return r.Error == "" && r.Status == status.Current }

// Result is what a deploy did.
type Result struct {
	DryRun   bool           `json:"dryRun"`
	Objects  []ObjectResult `json:"objects"`
	Duration time.Duration  `json:"durationNanos"`
	// StoppedIn names the phase that failed, "" when the deploy succeeded.
	StoppedIn string `json:"stoppedIn,omitempty"`
}

// Stage is the step of a deploy that failed.
type Stage string

// The stages an Error can come from.
const (
	StageApply Stage = "apply"
	StageWait  Stage = "wait"
)

// Error is a failed deploy: the phase and stage, and the cause.
type Error struct {
	Phase string
	Stage Stage
	Err   error
}

func (e *Error) Error() string {
	switch e.Stage {
	case StageApply:
		return "phase " + e.Phase + ": " + e.Err.Error()
	default:
		return "phase " + e.Phase + ": not ready: " + e.Err.Error()
	}
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// EventType says what an Event reports.
type EventType string

// The event types, in the order a phase emits them.
const (
	PhaseStarted  EventType = "PhaseStarted"
	ObjectApplied EventType = "ObjectApplied"
	ObjectUpdate  EventType = "ObjectUpdate"
	PhaseFinished EventType = "PhaseFinished"
	// Note is a line worth showing that is about no one object.
	Note EventType = "Note"
)

// Event is progress, for a printer to show.
type Event struct {
	Type  EventType
	Phase string
	// Objects is the number of objects in the phase, for PhaseStarted.
	Objects int
	// Applied is set for ObjectApplied.
	Applied *apply.Result
	// Update is set for ObjectUpdate.
	Update *wait.Update
	// Message is set for Note.
	Message string
	// Elapsed is the time since the deploy began.
	Elapsed time.Duration
}
