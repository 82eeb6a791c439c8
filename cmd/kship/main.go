// Command kship builds a kustomize tree, validates it, server-side-applies it
// to a Kubernetes cluster, waits for the rollout and says what happened.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/kship/kship/pkg/cli"
)

// gcBallast raises the heap size at which the garbage collector first runs.
// A small build allocates a few tens of MB in its first milliseconds and the
// collector would otherwise run a dozen times on a tiny heap; a big build
// hardly notices the extra 64 MiB of target. The slice is never touched, so
// it costs address space, not memory.
var gcBallast []byte

func main() {
	gcBallast = make([]byte, 64<<20)
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		cancel(&cli.SignalError{Signal: s}) // the first signal stops the wait cleanly
		<-sigs
		os.Exit(130) // a second one does not wait for that
	}()
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	runtime.KeepAlive(gcBallast)
	os.Exit(code)
}
