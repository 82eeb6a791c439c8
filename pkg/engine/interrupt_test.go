package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/kship/kship/pkg/exitcode"
)

// signal is a context cause that says its exit code, as the CLI's does.
type signal struct{ code int }

func (s signal) Error() string { return "received a signal" }
func (s signal) ExitCode() int { return s.code }

// A deploy interrupted while it waits for the lock, or in any step under
// it, exits with the signal's code, not the step's.
func TestInterruptedWinsOverTheStep(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(signal{code: exitcode.Terminated})
	r := &runner{}
	for _, err := range []error{
		&LockError{Err: context.Canceled},
		&StepError{Step: "namespace", Err: context.Canceled},
		&ClusterError{Err: errors.New("reading the inventory: context canceled")},
	} {
		if got := exitcode.Of(r.interrupted(ctx, err)); got != exitcode.Terminated {
			t.Errorf("%v: exit %d, want %d", err, got, exitcode.Terminated)
		}
	}
	if got := exitcode.Of(r.interrupted(context.Background(), &LockError{Err: errors.New("held by job-7")})); got != exitcode.Apply {
		t.Errorf("a lock error without a signal: exit %d, want 4", got)
	}
}
