//go:build unix

package cli

import (
	"os"
	"syscall"
)

// resized is the signal a terminal's resize sends.
var resized os.Signal = syscall.SIGWINCH
