package secrets

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	"github.com/getsops/sops/v3/cmd/sops/common"
	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/keyservice"
	"github.com/getsops/sops/v3/logging"
)

// Placeholder is what each encrypted value becomes with Options.NoDecrypt.
// It is valid base64, so that a Secret's data stays valid, and the same
// for every value and every encryption, so that two builds without keys
// compare equal where only encrypted values differ.
const Placeholder = "ENCRYPTED/not/decrypted/by/kship"

// Options says how a Decryptor works.
type Options struct {
	// NoDecrypt renders every encrypted value as Placeholder instead of
	// decrypting it, and needs no key: for builds where no key is (or
	// should be) available, such as a pull-request job's diff.
	NoDecrypt bool
	// KeyServices decrypt the files' data keys; nil means sops's local key
	// service, which finds keys as the sops CLI does.
	KeyServices []keyservice.KeyServiceClient
}

// Decryptor decrypts SOPS files and remembers what it decrypted. It is
// safe for concurrent use.
type Decryptor struct {
	opts Options

	mu     sync.Mutex
	files  map[string]bool
	values map[string]bool
	in     inputs
}

// New returns a Decryptor.
func New(opts Options) *Decryptor {
	quietOnce.Do(quiet)
	if opts.KeyServices == nil {
		opts.KeyServices = []keyservice.KeyServiceClient{keyservice.NewLocalClient()}
	}
	return &Decryptor{opts: opts, files: map[string]bool{}, values: map[string]bool{},
		in: inputs{plain: map[string]bool{}, sources: map[string]bool{}}}
}

var quietOnce sync.Once

// quiet silences sops's loggers, which would otherwise write to stderr:
// this library reports through its errors only.
func quiet() {
	for _, l := range logging.Loggers {
		l.SetOutput(io.Discard)
	}
}

// NoDecrypt reports whether d masks instead of decrypting.
func (d *Decryptor) NoDecrypt() bool { return d.opts.NoDecrypt }

// Decode returns data, the content of the file at path, decrypted when it
// is SOPS-encrypted (or masked, with NoDecrypt); any other file is
// returned as it is, and noted for Plaintext. The error of a file that
// cannot be decrypted is an *Error.
func (d *Decryptor) Decode(path string, data []byte) ([]byte, error) {
	format, ok := formatOf(path, data)
	if !ok {
		d.note(path, data, true)
		return data, nil
	}
	store := common.StoreForFormat(format, config.NewStoresConfig())
	tree, err := store.LoadEncryptedFile(data)
	if err != nil {
		if err == sops.MetadataNotFound {
			d.note(path, data, true)
			return data, nil
		}
		return nil, &Error{Path: path, Err: fmt.Errorf("it looks SOPS-encrypted (%s) but cannot be read as such: %w", formatName(format), err)}
	}
	encrypted := encryptedLeaves(tree.Branches)
	if d.opts.NoDecrypt {
		mask(tree.Branches)
	} else if err := d.decrypt(path, &tree); err != nil {
		return nil, err
	}
	out, err := store.EmitPlainFile(tree.Branches)
	if err != nil {
		return nil, &Error{Path: path, Err: fmt.Errorf("writing its plaintext as %s: %w", formatName(format), err)}
	}
	d.remember(path, out, leafValues(tree.Branches, encrypted))
	d.note(path, out, false)
	return out, nil
}

// decrypt decrypts tree in place and checks its MAC.
func (d *Decryptor) decrypt(path string, tree *sops.Tree) error {
	key, err := tree.Metadata.GetDataKeyWithKeyServices(d.opts.KeyServices, nil)
	if err != nil {
		return noKey(path, tree.Metadata, err)
	}
	cipher := aes.NewCipher()
	mac, err := tree.Decrypt(key, cipher)
	if err != nil {
		// sops's error is not quoted: when a value's type tag was damaged,
		// it holds the value it decrypted and could not parse.
		return &Error{Path: path, Err: errDamaged, Hint: tampered}
	}
	want, err := cipher.Decrypt(tree.Metadata.MessageAuthenticationCode, key, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil || want != mac {
		// Neither MAC is quoted: both are hashes of the plaintext.
		return &Error{Path: path, Err: errMAC, Hint: tampered}
	}
	return nil
}

// remember records that path was decrypted, with its plaintext and the
// values that were encrypted in it.
func (d *Decryptor) remember(path string, whole []byte, values []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.files[path] = true
	if s := string(whole); strings.TrimSpace(s) != "" {
		d.values[s] = true
	}
	for _, v := range values {
		if v != "" {
			d.values[v] = true
		}
	}
}

// Files returns the files Decode decrypted (or masked), sorted.
func (d *Decryptor) Files() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Sorted(maps.Keys(d.files))
}

// Values returns the plaintext values Decode decrypted, for a last check
// that an output quotes none of them. The caller must not show them.
func (d *Decryptor) Values() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Sorted(maps.Keys(d.values))
}

// holds reports whether s is a value Decode decrypted or masked.
func (d *Decryptor) holds(s string) bool {
	if strings.Contains(s, Placeholder) {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.values[s]
}

func formatName(f formats.Format) string {
	switch f {
	case formats.Yaml:
		return "YAML"
	case formats.Json:
		return "JSON"
	case formats.Dotenv:
		return "dotenv"
	case formats.Ini:
		return "INI"
	}
	return "binary"
}
