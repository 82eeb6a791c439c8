package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/validate"
)

// ClusterError says the cluster refused a read or a write kship needed,
// or holds nothing to act on (no saved revision to roll back to). Its
// text is the cause's.
type ClusterError struct{ Err error }

func (e *ClusterError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ClusterError) Unwrap() error { return e.Err }

// ExitCode is 4.
func (e *ClusterError) ExitCode() int { return exitcode.Apply }

// StepError says a step of the deploy around the phases failed: creating
// the namespace, reading or writing the inventory. Nothing of the build was
// applied after it.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// LockError says the deploy lock could not be taken, or was lost.
type LockError struct{ Err error }

func (e *LockError) Error() string { return "deploy lock: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *LockError) Unwrap() error { return e.Err }

// PruneError says the rollout was ready but pruning failed.
type PruneError struct{ Err error }

func (e *PruneError) Error() string { return "prune: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *PruneError) Unwrap() error { return e.Err }

// RollbackError says a rollback failed.
type RollbackError struct {
	Revision int
	Err      error
}

func (e *RollbackError) Error() string {
	return fmt.Sprintf("rollback to revision %d failed: %v", e.Revision, e.Err)
}

// Unwrap returns the cause.
func (e *RollbackError) Unwrap() error { return e.Err }

// ExitCode is 4: the cluster refused a write or a read.
func (e *StepError) ExitCode() int { return exitcode.Apply }

// ExitCode is 4.
func (e *LockError) ExitCode() int { return exitcode.Apply }

// ExitCode is 4, unless the prune was refused as too large before anything
// was written (3).
func (e *PruneError) ExitCode() int { return exitcode.OfOr(e.Err, exitcode.Apply) }

// ExitCode is 5 when the revision rolled back to did not become ready, else 4.
func (e *RollbackError) ExitCode() int { return exitcode.OfOr(e.Err, exitcode.Apply) }

// ExitCode is 4.
func (e *MovedError) ExitCode() int { return exitcode.Apply }

// BuildError says the target could not be built, or its build cannot be
// deployed as it is (no objects, unknown kinds, no namespace). Nothing
// was written.
type BuildError struct{ Err error }

func (e *BuildError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *BuildError) Unwrap() error { return e.Err }

// ExitCode is 3, or 2 for an --image that matches no image of the build.
func (e *BuildError) ExitCode() int {
	if errors.As(e.Err, new(*build.UnusedImageError)) {
		return exitcode.Usage
	}
	return exitcode.Build
}

// ValidationError says validation found errors. Report holds them (and
// no warnings). Nothing was written.
type ValidationError struct {
	Target string
	Report *validate.Report
}

func (e *ValidationError) Error() string {
	found := plural(e.Report.Errors(), "error")
	switch w := e.Report.Warnings(); {
	case w > 0 && e.Report.Errors() == 0:
		found = plural(w, "warning") + " (fail-on warning)"
	case w > 0:
		found = fmt.Sprintf("%s and %s (fail-on warning)", found, plural(w, "warning"))
	}
	return fmt.Sprintf("%s: validation found %s; nothing was applied (fix them, change the rules' severity in kship.yaml, or pass --validate=false)",
		e.Target, found)
}

// ExitCode is 3.
func (e *ValidationError) ExitCode() int { return exitcode.Build }

// OptionError says an option is wrong (a Kubernetes version kship has no
// schemas for).
type OptionError struct{ Err error }

func (e *OptionError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *OptionError) Unwrap() error { return e.Err }

// ExitCode is 2.
func (e *OptionError) ExitCode() int { return exitcode.Usage }

// ConnectError says the kube context is not the environment's, the
// cluster is not the one kship.yaml pins, or it cannot be reached.
// Nothing was written.
type ConnectError struct{ Err error }

func (e *ConnectError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ConnectError) Unwrap() error { return e.Err }

// ExitCode is 4.
func (e *ConnectError) ExitCode() int { return exitcode.Apply }

// InterruptedError says the caller's context ended the deploy (a signal).
// Cause is the context's cause; its exit code, when it has one (SIGTERM:
// 143), is the error's, else 130.
type InterruptedError struct {
	Cause error
	Err   error
}

func (e *InterruptedError) Error() string { return e.Err.Error() }

// Unwrap returns the error the deploy stopped with.
func (e *InterruptedError) Unwrap() error { return e.Err }

// ExitCode is the cause's, else 130.
func (e *InterruptedError) ExitCode() int { return exitcode.OfOr(e.Cause, exitcode.Interrupted) }

// RollbackFailedError says the deploy failed (Err), and the rollback after
// it failed too: the environment is as Rollback says.
type RollbackFailedError struct {
	Err      error
	Rollback *RollbackReport
}

func (e *RollbackFailedError) Error() string { return e.Err.Error() }

// Unwrap returns the deploy's error.
func (e *RollbackFailedError) Unwrap() error { return e.Err }

// ExitCode is 6.
func (e *RollbackFailedError) ExitCode() int { return exitcode.RollbackFailed }

// interrupted marks err as an interruption when ctx (the caller's) ended.
// A lost lock cancels only the deploy's own context, never the caller's:
// an error with the caller's context ended is the signal's.
func (r *runner) interrupted(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	return &InterruptedError{Cause: context.Cause(ctx), Err: err}
}
