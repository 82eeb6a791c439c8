// Command kship builds a kustomize tree, validates it, server-side-applies it
// to a Kubernetes cluster, waits for the rollout and says what happened.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kship/kship/pkg/cli"
)

func main() {
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
	os.Exit(code)
}
