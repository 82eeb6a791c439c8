// Command clusterctl performs the API-level steps of bringing up kship's local
// control plane, so that tools/cluster/up.sh needs neither curl nor kubectl.
//
// Usage:
//
//	clusterctl wait-apiserver -kubeconfig FILE [-timeout D]
//	clusterctl create-nodes   -kubeconfig FILE [-count N] [-kubelet-port P] [-timeout D]
//	clusterctl wait-ready     -kubeconfig FILE [-nodes N] [-timeout D]
//
// wait-apiserver waits until the API server's /readyz passes. create-nodes
// does the same, then creates (or updates) N fake nodes managed by kwok.
// wait-ready waits for /readyz, the "default" ServiceAccount in the "default"
// namespace and at least N Ready kwok nodes. Progress goes to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "clusterctl: %v\n", err)
		os.Exit(1)
	}
}

// action is a subcommand's work, given a client and the -timeout deadline.
type action func(ctx context.Context, cs kubernetes.Interface) error

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("missing subcommand: wait-apiserver, create-nodes or wait-ready")
	}
	fs := flag.NewFlagSet("clusterctl "+args[0], flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", ".cluster/kubeconfig", "kubeconfig of the cluster admin")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long to wait before giving up")
	var do action
	switch args[0] {
	case "wait-apiserver":
		do = waitAPIServer
	case "wait-ready":
		nodes := fs.Int("nodes", 0, "number of Ready kwok nodes to wait for")
		do = func(ctx context.Context, cs kubernetes.Interface) error { return waitReady(ctx, cs, *nodes) }
	case "create-nodes":
		count := fs.Int("count", 3, "number of nodes")
		port := fs.Int("kubelet-port", 26250, "port of kwok's kubelet server, published in each node's status")
		do = func(ctx context.Context, cs kubernetes.Interface) error {
			if *port < 1 || *port > 65535 {
				return fmt.Errorf("-kubelet-port %d is not a port", *port)
			}
			if err := waitAPIServer(ctx, cs); err != nil {
				return err
			}
			return createNodes(ctx, cs, *count, int32(*port))
		}
	default:
		return fmt.Errorf("unknown subcommand %q: want wait-apiserver, create-nodes or wait-ready", args[0])
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cs, err := clientset(*kubeconfig)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	return do(ctx, cs)
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return nil
}

func clientset(kubeconfig string) (*kubernetes.Clientset, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig %s: %w", kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	cfg.Timeout = 10 * time.Second
	return kubernetes.NewForConfig(cfg)
}
