package engine

import (
	"fmt"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/secrets"
	"github.com/kship/kship/pkg/validate"
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

// withholding sets in opts what withholds apply errors besides a Secret's:
// those about an object that holds a value the build decrypted, and those
// whose text quotes one.
func (r *runner) withholding(opts *apply.Options) {
	if dec := decryptorOf(r.opts.Build); dec != nil {
		opts.Sensitive, opts.Quoted = dec.Quotes, dec.Quoted
	}
}
