// Command openapi-dump writes the OpenAPI v3 schemas that `kship validate`
// ships with, and converts them for kubeconform.
//
// Usage (from tools/):
//
//	go run ./cmd/openapi-dump [-kubeconfig ../.cluster/kubeconfig] [-context kship-local] [-out ../pkg/validate/schemas]
//	go run ./cmd/openapi-dump -kubeconform DIR [-from ../pkg/validate/schemas/v1.37]
//
// The first form connects to a running API server (tools/cluster/up.sh
// starts one of the pinned version), reads every built-in group-version's
// /openapi/v3 document, keeps only the resource kinds the server serves and
// the schema keywords validation needs, and writes them gzip'd, one file per
// group-version, plus an index.json of the served kinds, into
// OUT/v<major>.<minor>/. Group-versions served by CRDs or aggregated API
// servers are left out: the schemas describe Kubernetes itself, not what
// others installed in the cluster. The output is deterministic, so a
// regeneration against the same version changes nothing.
//
// The second form reads such a directory and writes one standalone, strict
// JSON schema per kind (openapi2jsonschema's "-standalone-strict" style,
// named as kubeconform's -schema-location template
// {{ .ResourceKind }}{{ .KindSuffix }}.json expects), so that kubeconform can
// check the same input against the same schemas offline.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "openapi-dump: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("openapi-dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kubeconfig := fs.String("kubeconfig", "../.cluster/kubeconfig", "kubeconfig of the API server to read")
	kubeContext := fs.String("context", "kship-local", "kube context to use")
	out := fs.String("out", "../pkg/validate/schemas", "directory that gets a v<major>.<minor> subdirectory")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	kubeconform := fs.String("kubeconform", "", "instead of dumping: write kubeconform JSON schemas for the dump in -from to this directory")
	from := fs.String("from", "../pkg/validate/schemas/v1.37", "with -kubeconform: the dump directory to convert")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *kubeconform != "" {
		n, err := writeKubeconform(*from, *kubeconform)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "openapi-dump: wrote %d JSON schemas to %s\n", n, *kubeconform)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	d, err := fetch(ctx, *kubeconfig, *kubeContext)
	if err != nil {
		return err
	}
	dir, size, err := d.write(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "openapi-dump: Kubernetes %s: %d group-versions, %d kinds, %d bytes in %s\n",
		d.index.KubernetesVersion, len(d.index.GroupVersions), d.kinds(), size, dir)
	return nil
}
