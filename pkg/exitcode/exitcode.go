// Package exitcode carries kship's process exit codes as typed errors, so that
// library code returns errors and only main turns them into an exit status.
//
// It does not print and does not exit.
package exitcode

import (
	"context"
	"errors"
)

// The exit codes kship documents in its README.
const (
	// OK means the command did what was asked.
	OK = 0
	// Changes means a diff found differences (as `kubectl diff` does).
	Changes = 1
	// Usage means the command line was wrong: unknown flag, environment or argument.
	Usage = 2
	// Build means the manifests could not be built or validated; nothing was touched.
	Build = 3
	// Apply means the cluster refused a write, or the target cluster was the wrong one.
	Apply = 4
	// NotReady means everything was applied but the rollout failed or timed out.
	NotReady = 5
	// RollbackFailed means a deploy failed and the automatic rollback after it
	// failed too: the environment is in a mixed state.
	RollbackFailed = 6
	// Interrupted means SIGINT stopped the command (128+2).
	Interrupted = 130
	// Terminated means SIGTERM stopped the command (128+15).
	Terminated = 143
)

// Error is an error that carries the exit code the process should end with.
type Error struct {
	Code int
	Err  error
}

// Error returns the wrapped error's text.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// ExitCode returns e.Code.
func (e *Error) ExitCode() int { return e.Code }

// Coder is an error that says which exit code it means. Library packages
// give their error types an ExitCode method instead of wrapping them.
type Coder interface {
	error
	ExitCode() int
}

// Wrap returns err carrying code; a nil err stays nil.
func Wrap(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Of returns the exit code for err: OK for nil, the code of the first
// Coder in its chain (outermost first), Interrupted for a bare context
// cancellation, and 1 for any other error.
func Of(err error) int {
	if err == nil {
		return OK
	}
	if errors.Is(err, context.Canceled) && !errors.As(err, new(Coder)) {
		return Interrupted
	}
	return OfOr(err, 1)
}

// OfOr returns OK for nil, the code of the first Coder in err's chain,
// else fallback.
func OfOr(err error, fallback int) int {
	if err == nil {
		return OK
	}
	var c Coder
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return fallback
}
