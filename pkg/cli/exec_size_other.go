//go:build !unix

package cli

import "os"

// resized is nil where no signal says a terminal was resized.
var resized os.Signal
