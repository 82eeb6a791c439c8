package exitcode

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

type coded struct{ code int }

func (c coded) Error() string { return "coded" }
func (c coded) ExitCode() int { return c.code }

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		name     string
		err      error
		of, orFb int
	}{
		{"nil is OK, whatever the fallback", nil, OK, OK},
		{"a Coder says its code", fmt.Errorf("deploy: %w", coded{NotReady}), NotReady, NotReady},
		{"the outermost Coder wins", Wrap(RollbackFailed, fmt.Errorf("x: %w", coded{NotReady})), RollbackFailed, RollbackFailed},
		{"a bare cancellation is an interruption", fmt.Errorf("x: %w", context.Canceled), Interrupted, Apply},
		{"anything else is 1, or the fallback", errors.New("boom"), 1, Apply},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.err); got != tt.of {
				t.Errorf("Of = %d, want %d", got, tt.of)
			}
			if got := OfOr(tt.err, Apply); got != tt.orFb {
				t.Errorf("OfOr(err, 4) = %d, want %d", got, tt.orFb)
			}
		})
	}
}
