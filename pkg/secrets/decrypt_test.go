package secrets_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/internal/sopstest"
	"github.com/kship/kship/pkg/secrets"
)

// sentinel is a value no output may ever show.
const sentinel = "s3ntinel-Pa55w0rd-zq"

const secretYAML = `apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: ` + sentinel + `
`

// secretOut is secretYAML as sops writes plaintext (as `sops -d` prints
// it): indented by 4.
var secretOut = strings.ReplaceAll(secretYAML, "\n  ", "\n    ")

func TestDecodeFormats(t *testing.T) {
	id := sopstest.NewKey(t)
	r := id.Recipient().String()
	tests := []struct {
		name, path string
		format     formats.Format
		opts       sopstest.Options
		plain      string
		want       string
	}{
		{name: "whole YAML Secret", path: "base/secret.yaml", format: formats.Yaml, plain: secretYAML, want: secretOut},
		{name: "partial YAML", path: "base/secret.yaml", format: formats.Yaml, opts: sopstest.Options{EncryptedRegex: "^(data|stringData)$"}, plain: secretYAML, want: secretOut},
		{name: "suffix YAML", path: "cfg.yml", format: formats.Yaml, opts: sopstest.Options{EncryptedSuffix: "_secret"}, plain: "user: app\npass_secret: " + sentinel + "\n", want: "user: app\npass_secret: " + sentinel + "\n"},
		{name: "JSON", path: "creds.json", format: formats.Json, plain: `{"token":"` + sentinel + `"}`, want: "{\n\t\"token\": \"" + sentinel + "\"\n}\n"},
		{name: "dotenv", path: "db.env", format: formats.Dotenv, plain: "USER=app\nPASSWORD=" + sentinel + "\n", want: "USER=app\nPASSWORD=" + sentinel + "\n"},
		{name: "binary", path: "tls.key", format: formats.Binary, plain: "-----BEGIN KEY-----\n" + sentinel + "\n", want: "-----BEGIN KEY-----\n" + sentinel + "\n"},
		{name: "binary, extension says nothing", path: "prod.kubeconfig.enc", format: formats.Binary, plain: "apiVersion: v1\nkind: Config\n", want: "apiVersion: v1\nkind: Config\n"},
		{name: "YAML, extension says nothing", path: "prod.kubeconfig.enc", format: formats.Yaml, plain: "apiVersion: v1\nkind: Config\n", want: "apiVersion: v1\nkind: Config\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sopstest.UseKey(t, id)
			enc := sopstest.Encrypt(t, []byte(tt.plain), tt.format, tt.opts, r)
			if bytes.Contains(enc, []byte(sentinel)) {
				t.Fatalf("the fixture is not encrypted:\n%s", enc)
			}
			d := secrets.New(secrets.Options{})
			got, err := d.Decode(tt.path, enc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("plaintext (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{tt.path}, d.Files()); diff != "" {
				t.Errorf("Files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeLeavesPlainFilesAlone(t *testing.T) {
	sopstest.NoKeys(t)
	for name, plain := range map[string]string{
		"manifest":            secretYAML,
		"nested sops key":     "kind: ConfigMap\ndata:\n  sops: {mac: x}\n",
		"top-level sops text": "sops: is a tool\n",
		"env":                 "sops_mac=not-really\nA=b\n",
		"not YAML":            "sops:\n\t- [\n",
		"empty":               "",
	} {
		t.Run(name, func(t *testing.T) {
			d := secrets.New(secrets.Options{})
			in := []byte(plain)
			got, err := d.Decode("x.yaml", in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, in) || len(d.Files()) != 0 {
				t.Errorf("a plain file changed, or was taken for encrypted: %q, files %v", got, d.Files())
			}
		})
	}
}

func TestDecodeWrongKey(t *testing.T) {
	owner, other := sopstest.NewKey(t), sopstest.NewKey(t)
	enc := sopstest.Encrypt(t, []byte(secretYAML), formats.Yaml, sopstest.Options{}, owner.Recipient().String())
	for name, use := range map[string]func(*testing.T){
		"another key": func(t *testing.T) { sopstest.UseKey(t, other) },
		"no key":      sopstest.NoKeys,
	} {
		t.Run(name, func(t *testing.T) {
			use(t)
			_, err := secrets.New(secrets.Options{}).Decode("overlays/prod/secret.yaml", enc)
			var serr *secrets.Error
			if !errors.As(err, &serr) {
				t.Fatalf("want a *secrets.Error, got %v", err)
			}
			msg := err.Error()
			t.Log(msg)
			for _, want := range []string{"overlays/prod/secret.yaml", "age " + owner.Recipient().String(), "SOPS_AGE_KEY", "--no-decrypt"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the error does not say %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, sentinel) || strings.Contains(msg, other.String()) {
				t.Errorf("the error shows a secret:\n%s", msg)
			}
		})
	}
}

func TestDecodeTampered(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	enc := sopstest.Encrypt(t, []byte(secretYAML), formats.Yaml, sopstest.Options{EncryptedRegex: "^stringData$"}, id.Recipient().String())
	// name is not encrypted but is covered by the MAC.
	bad := bytes.Replace(enc, []byte("name: db"), []byte("name: evil"), 1)
	if bytes.Equal(bad, enc) {
		t.Fatalf("nothing to tamper with in:\n%s", enc)
	}
	_, err := secrets.New(secrets.Options{}).Decode("secret.yaml", bad)
	if err == nil || !strings.Contains(err.Error(), "MAC") || !strings.Contains(err.Error(), "secret.yaml") {
		t.Fatalf("want a MAC error naming the file, got %v", err)
	}
	if strings.Contains(err.Error(), sentinel) {
		t.Errorf("the error shows the value: %v", err)
	}
}

func TestDecodeNoDecrypt(t *testing.T) {
	id := sopstest.NewKey(t)
	enc := sopstest.Encrypt(t, []byte(secretYAML), formats.Yaml, sopstest.Options{EncryptedRegex: "^stringData$"}, id.Recipient().String())
	sopstest.NoKeys(t)
	d := secrets.New(secrets.Options{NoDecrypt: true})
	got, err := d.Decode("secret.yaml", enc)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(secretOut, sentinel, secrets.Placeholder, 1)
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("masked (-want +got):\n%s", diff)
	}
	// Another encryption of the same file masks alike.
	again, err := d.Decode("secret.yaml", sopstest.Encrypt(t, []byte(secretYAML), formats.Yaml, sopstest.Options{EncryptedRegex: "^stringData$"}, id.Recipient().String()))
	if err != nil || !bytes.Equal(again, got) {
		t.Errorf("a re-encryption masks differently: %q, %v", again, err)
	}
}

// TestDecodeDamagedTypeTag: a value whose type tag was changed (a bad
// merge, a hand edit) decrypts, then fails to parse; the error must not
// quote the plaintext that sops's parse error holds.
func TestDecodeDamagedTypeTag(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	const value = "hunter2-damaged value"
	for _, tag := range []string{"int", "bool", "float"} {
		enc := sopstest.Encrypt(t, []byte("password: "+value+"\n"), formats.Yaml, sopstest.Options{}, id.Recipient().String())
		enc = bytes.Replace(enc, []byte("type:str]"), []byte("type:"+tag+"]"), 1)
		_, err := secrets.New(secrets.Options{}).Decode("s.yaml", enc)
		if err == nil {
			t.Fatalf("type:%s: a damaged file decrypted", tag)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("type:%s: the error quotes the plaintext: %v", tag, err)
		}
		if !strings.Contains(err.Error(), "s.yaml") {
			t.Errorf("type:%s: the error does not name the file: %v", tag, err)
		}
	}
}

// TestDecodeKeySources: an age key is found where the sops CLI finds one:
// $SOPS_AGE_KEY (the other tests), the file $SOPS_AGE_KEY_FILE names, and
// sops's default keys file under the user's configuration directory.
func TestDecodeKeySources(t *testing.T) {
	id := sopstest.NewKey(t)
	enc := sopstest.Encrypt(t, []byte(secretYAML), formats.Yaml, sopstest.Options{}, id.Recipient().String())
	keys := []byte("# created for a test\n" + id.String() + "\n")
	for name, use := range map[string]func(t *testing.T){
		"SOPS_AGE_KEY_FILE": func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "demo.key")
			if err := os.WriteFile(f, keys, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("SOPS_AGE_KEY_FILE", f)
		},
		"default keys file": func(t *testing.T) {
			dir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "sops", "age")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "keys.txt"), keys, 0o600); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			sopstest.NoKeys(t)
			use(t)
			out, err := secrets.New(secrets.Options{}).Decode("secret.yaml", enc)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), sentinel) {
				t.Errorf("not decrypted:\n%s", out)
			}
		})
	}
}
