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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
