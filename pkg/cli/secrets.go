package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/secrets"
	ucli "github.com/urfave/cli/v2"
)

// noDecryptFlag is for the commands that build without applying: a
// pull-request job has no key, and needs none to see what changes.
var noDecryptFlag = &ucli.BoolFlag{
	Name:  "no-decrypt",
	Usage: "do not decrypt SOPS-encrypted files: build their encrypted values as a placeholder (no key needed; a diff reports them as not compared)",
}

// decryptor is the build's SOPS decryptor; --no-decrypt makes it mask.
func decryptor(c *ucli.Context) *secrets.Decryptor {
	return secrets.New(secrets.Options{NoDecrypt: c.Bool("no-decrypt")})
}

// withFreshDecryptor is opts with a decryptor of its own, so that what it
// records (the files it read in plaintext) is one build's.
func withFreshDecryptor(opts build.Options) build.Options {
	if dec := decryptorOf(opts); dec != nil {
		opts.Decoder = secrets.New(secrets.Options{NoDecrypt: dec.NoDecrypt()})
	}
	return opts
}

// decryptorOf returns the decryptor opts build with, nil if none.
func decryptorOf(opts build.Options) *secrets.Decryptor {
	d, _ := opts.Decoder.(*secrets.Decryptor)
	return d
}

// maskDecrypted makes a diff mask what the build decrypted as it masks
// Secrets: ConfigMaps made from encrypted files too, and the placeholder
// of --no-decrypt as not compared.
func maskDecrypted(d *diff.Options, opts build.Options) {
	if dec := decryptorOf(opts); dec != nil {
		d.Sensitive, d.NotCompared, d.Redact = dec.Holds, secrets.Placeholder, dec.Quotable
	}
}

// noteNoDecrypt says on stderr, after a diff built with --no-decrypt,
// that encrypted values were not compared: the diff cannot tell.
func noteNoDecrypt(w io.Writer, opts build.Options) {
	dec := decryptorOf(opts)
	if dec == nil || !dec.NoDecrypt() || len(dec.Files()) == 0 {
		return
	}
	fmt.Fprintf(w, "kship: built with --no-decrypt: the encrypted values of %s are not compared\n", strings.Join(dec.Files(), ", "))
}

// warnPlaintext warns, before `kship build` prints to a terminal, that the
// output holds decrypted values.
func warnPlaintext(s streams, opts build.Options, m *build.Manifests) {
	dec := decryptorOf(opts)
	if dec == nil || dec.NoDecrypt() || len(dec.Files()) == 0 || !isTerminal(s.out) {
		return
	}
	// Only now, when a warning may be due, are the objects read.
	objs, err := build.Objects(m)
	if err != nil {
		return // the render that follows reports it
	}
	var names []string
	for _, o := range objs {
		if (o.GetKind() == "Secret" && o.GroupVersionKind().Group == "") || dec.Holds(o) {
			names = append(names, o.GetKind()+"/"+o.GetName())
		}
	}
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(s.err, "kship: warning: this output holds values decrypted from %s, in %s: they are shown on this terminal; send the output to a file or a pipe, or pass --no-decrypt to mask them\n",
		strings.Join(dec.Files(), ", "), strings.Join(names, ", "))
}
