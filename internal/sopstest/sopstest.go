// Package sopstest makes age keys and SOPS-encrypted files for tests, with
// the sops library, so that no sops binary or cloud key is needed.
package sopstest

import (
	"os"
	"testing"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/cmd/sops/common"
	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/keyservice"
	"github.com/getsops/sops/v3/version"
)

// NewKey returns a new age identity.
func NewKey(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// UseKey makes id the only age key sops finds in this test: SOPS_AGE_KEY
// is set to it, and the default keys file is looked for in an empty
// directory.
func UseKey(t *testing.T, id *age.X25519Identity) {
	t.Helper()
	NoKeys(t)
	t.Setenv(sopsage.SopsAgeKeyEnv, id.String())
}

// NoKeys leaves sops no age key to find in this test.
func NoKeys(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	for _, v := range []string{sopsage.SopsAgeKeyEnv, sopsage.SopsAgeKeyFileEnv, sopsage.SopsAgeKeyCmdEnv, sopsage.SopsAgeSshPrivateKeyFileEnv, sopsage.SopsAgeSshPrivateKeyCmdEnv} {
		t.Setenv(v, "") // restored after the test
		os.Unsetenv(v)  // sops tells set from unset
	}
}

// Options say which values to encrypt; the zero value encrypts all, as
// `sops -e` does without rules (besides its _unencrypted suffix).
type Options struct {
	EncryptedRegex  string
	EncryptedSuffix string
}

// Encrypt returns plain, a file of format, encrypted for the recipients
// (age public keys), as `sops -e` writes it.
func Encrypt(t testing.TB, plain []byte, format formats.Format, opts Options, recipients ...string) []byte {
	t.Helper()
	store := common.StoreForFormat(format, config.NewStoresConfig())
	branches, err := store.LoadPlainFile(plain)
	if err != nil {
		t.Fatalf("sopstest: reading the plain file: %v", err)
	}
	var group sops.KeyGroup
	for _, r := range recipients {
		k, err := sopsage.MasterKeyFromRecipient(r)
		if err != nil {
			t.Fatal(err)
		}
		group = append(group, k)
	}
	tree := sops.Tree{Branches: branches, Metadata: sops.Metadata{
		KeyGroups:       []sops.KeyGroup{group},
		EncryptedRegex:  opts.EncryptedRegex,
		EncryptedSuffix: opts.EncryptedSuffix,
		Version:         version.Version,
	}}
	if opts.EncryptedRegex == "" && opts.EncryptedSuffix == "" {
		tree.Metadata.UnencryptedSuffix = "_unencrypted"
	}
	key, errs := tree.GenerateDataKeyWithKeyServices([]keyservice.KeyServiceClient{keyservice.NewLocalClient()})
	if len(errs) > 0 {
		t.Fatalf("sopstest: data key: %v", errs)
	}
	if err := common.EncryptTree(common.EncryptTreeOpts{Tree: &tree, Cipher: aes.NewCipher(), DataKey: key}); err != nil {
		t.Fatalf("sopstest: encrypting: %v", err)
	}
	out, err := store.EmitEncryptedFile(tree)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
