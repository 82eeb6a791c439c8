package deploy

import (
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
)

// ObjectResult is what happened to one object.
type ObjectResult struct {
	Ref      object.Ref          `json:"object"`
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
	// TimedOut, when set, says that its own timeout fired, and what set
	// it (see wait.Options.TimeoutOf).
	TimedOut string `json:"timedOut,omitempty"`
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

// ExitCode is 5 when objects were applied but did not become ready, 4 when
// the server refused them.
func (e *Error) ExitCode() int {
	if e.Stage == StageWait {
		return exitcode.NotReady
	}
	return exitcode.Apply
}
