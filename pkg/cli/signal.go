package cli

import (
	"context"
	"errors"
	"os"
	"syscall"

	"github.com/kship/kship/pkg/exitcode"
)

// SignalError is the cause main gives a context it cancels on a signal.
type SignalError struct{ Signal os.Signal }

func (e *SignalError) Error() string { return "received " + e.Signal.String() }

// ExitCode is 143 for SIGTERM, 130 for any other signal.
func (e *SignalError) ExitCode() int {
	if e.Signal == syscall.SIGTERM {
		return exitcode.Terminated
	}
	return exitcode.Interrupted
}

// interruptCode is 130 for SIGINT, 143 for SIGTERM.
func interruptCode(ctx context.Context) int {
	var se *SignalError
	if errors.As(context.Cause(ctx), &se) && se.Signal == syscall.SIGTERM {
		return exitcode.Terminated
	}
	return exitcode.Interrupted
}
