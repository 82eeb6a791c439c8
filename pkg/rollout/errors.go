package rollout

import "fmt"

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
