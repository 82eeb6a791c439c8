package secrets

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/getsops/sops/v3"
)

// Error is a file that could not be decrypted. It never holds a value of
// the file.
type Error struct {
	// Path is the file.
	Path string
	// Keys are the keys the file is encrypted for, e.g. "age age1..." or
	// "kms arn:aws:kms:...", when its metadata could be read.
	Keys []string
	// Err says what went wrong.
	Err error
	// Hint says what to do.
	Hint string
}

// Error names the file, the keys it is encrypted for, what went wrong and
// what to do.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: cannot decrypt", e.Path)
	if len(e.Keys) > 0 {
		fmt.Fprintf(&b, " (encrypted for %s)", strings.Join(e.Keys, ", "))
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Hint != "" {
		b.WriteString(": " + e.Hint)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

var errMAC = errors.New("its MAC does not match its content, so it was changed after sops encrypted it (edited by hand, or a bad merge)")

// errDamaged is a value that would not decrypt, or whose ENC[...] type
// tag does not fit what it decrypts to; what sops said is not quoted, as it
// may hold the value.
var errDamaged = errors.New("one of its ENC[...] values is damaged (its ciphertext, or its type tag, was changed after sops encrypted it)")

const tampered = "restore the file from git, or edit it with `sops FILE` so that sops re-computes its MAC"

// hints say, by key type, what makes a key available.
var hints = map[string]string{
	"age":      "set SOPS_AGE_KEY to the age identity (AGE-SECRET-KEY-1...) or SOPS_AGE_KEY_FILE to a file holding it, or put it in sops's default keys file (sops/age/keys.txt in the user's config directory)",
	"kms":      "give AWS credentials allowed kms:Decrypt with that key (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role)",
	"gcp_kms":  "give Google credentials allowed to decrypt with that key (GOOGLE_APPLICATION_CREDENTIALS)",
	"azure_kv": "give Azure credentials allowed to unwrap with that key (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET, or a managed identity)",
	"hc_vault": "set VAULT_ADDR and VAULT_TOKEN for a Vault token allowed to decrypt with that key",
	"pgp":      "import the private key into the gpg keyring (or start gpg-agent)",
}

// noKey is the error of a file whose data key no available key decrypts:
// it names the keys and says, for each type, what to set.
func noKey(path string, m sops.Metadata, err error) error {
	var keys, todo []string
	seen := map[string]bool{}
	for _, g := range m.KeyGroups {
		for _, k := range g {
			t := k.TypeToIdentifier()
			keys = append(keys, t+" "+k.ToString())
			if h, ok := hints[t]; ok && !seen[t] {
				todo = append(todo, h)
			}
			seen[t] = true
		}
	}
	sort.Strings(todo)
	todo = append(todo, "or pass --no-decrypt to build, diff or validate with encrypted values masked")
	return &Error{Path: path, Keys: keys, Err: fmt.Errorf("no key for it is available here (%s)", firstLine(err)), Hint: strings.Join(todo, "; ")}
}

// firstLine is err's message without sops's multi-line report, whose
// per-key lines go into the first one's summary.
func firstLine(err error) string {
	var ue sops.UserError
	if !errors.As(err, &ue) {
		return err.Error()
	}
	var reasons []string
	for _, line := range strings.Split(ue.UserError(), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "| ") {
			reasons = append(reasons, strings.TrimSpace(strings.TrimLeft(line, "-| ")))
		}
	}
	if len(reasons) == 0 {
		return err.Error()
	}
	return strings.Join(reasons, " ")
}
