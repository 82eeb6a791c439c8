// Command podrefs is the part of a kubelet that kwok's stages cannot play:
// resolving a pod's ConfigMaps and Secrets before its containers start. It
// watches pods, ConfigMaps and Secrets and writes its verdict on each pod
// that has not started yet, as annotations that the stages in
// tools/cluster/stages react to:
//
//	kwok.kship.dev/refs: ok | mount-error | config-error
//	kwok.kship.dev/mount-error: MountVolume.SetUp failed for volume "config" : configmap "api-config" not found
//	kwok.kship.dev/config-errors: <container>\t<message> lines, e.g. api\tconfigmap "api-config" not found
//
// The stages start a pod only once it is "ok"; "mount-error" keeps it
// ContainerCreating with a FailedMount event; "config-error" puts the
// containers concerned in Waiting/CreateContainerConfigError. When the
// missing object or key appears, the verdict becomes "ok" and the stages
// start the pod, as a kubelet's retry would. "ok" is final: like a kubelet,
// a running pod does not notice a ConfigMap deleted later. Pod status itself
// is written by kwok's stages only.
//
// Only keys are kept in memory, never the values of ConfigMaps or Secrets,
// and nothing but object names and keys is logged.
//
// Usage:
//
//	podrefs -kubeconfig .cluster/kubeconfigs/kwok.kubeconfig
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "podrefs: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("podrefs", flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", ".cluster/kubeconfig", "kubeconfig of a client allowed to read ConfigMaps and Secrets and to patch pods")
	workers := fs.Int("workers", 4, "pods judged at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fmt.Errorf("loading kubeconfig %s: %w", *kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	cfg.Timeout = 10 * time.Second
	cfg.UserAgent = "kship-podrefs"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	return newController(cs).run(ctx, *workers)
}
