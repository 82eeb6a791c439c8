package engine

import (
	"fmt"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/secrets"
	"github.com/kship/kship/pkg/validate"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// PlaintextFiles are the Secret manifests and secretGenerator sources that
// t's build, made with opts, read in plaintext where a .sops.yaml creation
// rule says to encrypt them, named as validation names files. A build
// without a SOPS decryptor has none.
func PlaintextFiles(t *Target, opts build.Options) ([]validate.PlaintextFile, error) {
	dec := decryptorOf(opts)
	if dec == nil {
		return nil, nil
	}
	found, err := dec.Plaintext()
	if err != nil {
		return nil, &BuildError{Err: fmt.Errorf("checking for plaintext secrets: %w", err)}
	}
	out := make([]validate.PlaintextFile, 0, len(found))
	for _, u := range found {
		p := validate.PlaintextFile(u)
		p.Path, p.Config = t.rel(u.Path), t.rel(u.Config)
		out = append(out, p)
	}
	return out, nil
}

// decryptorOf is the SOPS decryptor opts build with, or nil.
func decryptorOf(opts build.Options) *secrets.Decryptor {
	dec, _ := opts.Decoder.(*secrets.Decryptor)
	return dec
}

// sensitive reports the objects besides Secrets whose apply errors are
// withheld: those that hold a value the build decrypted.
func (r *runner) sensitive() func(*unstructured.Unstructured) bool {
	if dec := decryptorOf(r.opts.Build); dec != nil {
		return dec.Quotes
	}
	return nil
}
