// Command certs creates the credentials of kship's local control plane: a
// certificate authority, serving certificates for kube-apiserver and kwok's
// kubelet endpoint, the service account signing key pair, a static token file
// and one kubeconfig per client.
//
// Keys, certificates and tokens are created once and reused on later runs (a
// certificate is renewed when it is about to expire), so kubeconfigs handed out
// earlier stay valid across cluster restarts. Kubeconfigs are rewritten on every
// run because the API server port may change.
//
// Usage:
//
//	certs -dir .cluster -server https://127.0.0.1:26443 -context kship-local
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "certs: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	dir := fs.String("dir", ".cluster", "cluster state directory; credentials go to DIR/pki, kubeconfigs to DIR")
	server := fs.String("server", "https://127.0.0.1:26443", "API server URL written into the kubeconfigs")
	contextName := fs.String("context", "kship-local", "context (and cluster and user) name of the admin kubeconfig")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	pki := filepath.Join(*dir, "pki")
	if err := os.MkdirAll(pki, 0o700); err != nil {
		return err
	}
	ca, err := ensureCA(pki)
	if err != nil {
		return fmt.Errorf("certificate authority: %w", err)
	}
	for _, s := range servingCerts {
		if err := ensureServingCert(pki, ca, s); err != nil {
			return fmt.Errorf("serving certificate %s: %w", s.name, err)
		}
	}
	if err := ensureServiceAccountKey(pki); err != nil {
		return fmt.Errorf("service account key: %w", err)
	}
	tokens, err := ensureTokens(filepath.Join(pki, "tokens.csv"))
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	return writeKubeconfigs(*dir, *server, *contextName, ca.certPEM, tokens)
}
