package cli

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/kship/kship/internal/sopstest"
)

// The values the SOPS tests encrypt: no output but kship build's may show
// them, plain or base64-encoded.
const (
	sopsOldPassword = "s0ps-Old-Pa55word"
	sopsNewPassword = "s0ps-New-Pa55word"
	sopsDSN         = "postgres-dsn-Secret-9x"
)

// sopsTree writes an app whose Secret and ConfigMap source are encrypted
// for recipient, and its kship.yaml; it returns kship.yaml's path.
func sopsTree(t *testing.T, dir, recipient, password string) string {
	t.Helper()
	writeFile(t, dir, "app/kustomization.yaml", "namespace: shop\nresources: [secret.yaml]\nconfigMapGenerator: [{name: settings, envs: [settings.env]}]\n")
	secret := "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: Opaque\nstringData: {password: " + password + "}\n"
	writeFile(t, dir, "app/secret.yaml", string(sopstest.Encrypt(t, []byte(secret), formats.Yaml, sopstest.Options{EncryptedRegex: "^(data|stringData)$"}, recipient)))
	writeFile(t, dir, "app/settings.env", string(sopstest.Encrypt(t, []byte("DSN="+sopsDSN+"\nLOG=info\n"), formats.Dotenv, sopstest.Options{}, recipient)))
	return writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: stage, namespace: shop}\n")
}

func mustNotShowSops(t *testing.T, where, out string) {
	t.Helper()
	for _, v := range []string{sopsOldPassword, sopsNewPassword, sopsDSN} {
		for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v))} {
			if strings.Contains(out, form) {
				t.Errorf("%s shows the decrypted value %q:\n%s", where, form, out)
			}
		}
	}
}

func TestSopsBuild(t *testing.T) {
	id := sopstest.NewKey(t)
	dir := t.TempDir()
	cfg := sopsTree(t, dir, id.Recipient().String(), sopsOldPassword)

	sopstest.UseKey(t, id)
	r := run(t, "--config", cfg, "build", "test")
	wantCode(t, r, 0)
	mustContain(t, "build", r.stdout, "password: "+sopsOldPassword, "DSN: "+sopsDSN, "name: settings-")
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("a build to a pipe warns: %s", r.stderr)
	}
	// At a terminal, the build says first that it shows decrypted values.
	r = runAtTerminal(t, "--config", cfg, "build", "test")
	wantCode(t, r, 0)
	mustContain(t, "build at a terminal", r.stderr, "warning: this output holds values decrypted from", "secret.yaml", "Secret/db", "ConfigMap/settings-", "--no-decrypt")
	for _, format := range []string{"json", "junit"} {
		r = run(t, "--config", cfg, "validate", "test", "-o", format)
		mustNotShowSops(t, "validate -o "+format, r.stdout+r.stderr)
	}

	sopstest.NoKeys(t)
	r = run(t, "--config", cfg, "build", "test")
	wantCode(t, r, 3)
	mustContain(t, "build without a key", r.stderr, "secret.yaml: cannot decrypt", "age "+id.Recipient().String(), "SOPS_AGE_KEY", "--no-decrypt")
	mustNotShowSops(t, "build error", r.stdout+r.stderr)

	r = run(t, "--config", cfg, "build", "test", "--no-decrypt")
	wantCode(t, r, 0)
	mustContain(t, "build --no-decrypt", r.stdout, "password: ENCRYPTED/not/decrypted/by/kship", "DSN: ENCRYPTED/not/decrypted/by/kship")
	mustNotShowSops(t, "build --no-decrypt", r.stdout+r.stderr)
	r = runAtTerminal(t, "--config", cfg, "build", "test", "--no-decrypt")
	if wantCode(t, r, 0); strings.Contains(r.stderr, "warning") {
		t.Errorf("a masked build at a terminal warns: %s", r.stderr)
	}
}

func TestSopsDiffBase(t *testing.T) {
	t.Setenv("CI", "")
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	r := id.Recipient().String()
	dir := t.TempDir()
	cfg := sopsTree(t, dir, r, sopsOldPassword)
	gitRepo(t, dir, "init", "-q")
	gitRepo(t, dir, "add", "-A")
	gitRepo(t, dir, "commit", "-q", "-m", "base")

	// Re-encrypting (new data keys, same values) changes nothing.
	sopsTree(t, dir, r, sopsOldPassword)
	gitRepo(t, dir, "commit", "-q", "-a", "-m", "re-encrypt")
	res := run(t, "--config", cfg, "diff", "test", "--base", "HEAD~1")
	wantCode(t, res, 0)
	mustContain(t, "re-encrypted", res.stdout, "no changes")

	// One changed value is one masked change.
	sopsTree(t, dir, r, sopsNewPassword)
	gitRepo(t, dir, "commit", "-q", "-a", "-m", "new password")
	for _, format := range []string{"text", "markdown", "json"} {
		res := run(t, "--config", cfg, "diff", "test", "--base", "HEAD~1", "-o", format)
		wantCode(t, res, 1)
		mustNotShowSops(t, "diff -o "+format, res.stdout+res.stderr)
		mustContain(t, "diff -o "+format, res.stdout, "*** (17 bytes, changed)")
	}
	_, rep := diffJSON(t, "--config", cfg, "diff", "test", "--base", "HEAD~1")
	if got := changeList(rep); len(got) != 1 || got[0] != "Secret/shop/db changed" {
		t.Errorf("changes = %v, want the Secret only", got)
	}

	// Without a key, encrypted values are not compared.
	sopstest.NoKeys(t)
	res = run(t, "--config", cfg, "diff", "test", "--base", "HEAD~1", "--no-decrypt")
	wantCode(t, res, 0)
	mustContain(t, "diff --no-decrypt", res.stderr, "secret.yaml", "are not compared")
	mustNotShowSops(t, "diff --no-decrypt", res.stdout+res.stderr)
}

// TestSopsPlaintextGuard: a Secret manifest and a secretGenerator source
// that .sops.yaml says to encrypt, committed in plaintext, fail validate
// and a deploy's validation before it connects, naming each file and the
// sops command; once encrypted they pass. No output shows their values.
func TestSopsPlaintextGuard(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	dir := t.TempDir()
	r := id.Recipient().String()
	writeFile(t, dir, ".sops.yaml", "creation_rules:\n  - path_regex: app/.*\n    age: "+r+"\n")
	writeFile(t, dir, "app/kustomization.yaml", "namespace: shop\nresources: [secret.yaml, deploy.yaml]\n"+
		"secretGenerator: [{name: db, envs: [db.env]}]\nconfigMapGenerator: [{name: settings, envs: [settings.env]}]\n")
	secret := "apiVersion: v1\nkind: Secret\nmetadata: {name: api}\ntype: Opaque\nstringData: {password: " + sopsOldPassword + "}\n"
	writeFile(t, dir, "app/secret.yaml", secret)
	writeFile(t, dir, "app/db.env", "DSN="+sopsDSN+"\n")
	writeFile(t, dir, "app/settings.env", "LOG=info\n")
	writeFile(t, dir, "app/deploy.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: b}\n")
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: stage, namespace: shop}\n")

	for _, args := range [][]string{{"validate", "test"}, {"validate", "test", "--no-decrypt"}, {"validate", "test", "-o", "json"}} {
		res := run(t, append([]string{"--config", cfg}, args...)...)
		wantCode(t, res, 3)
		mustContain(t, strings.Join(args, " "), res.stdout, "secrets/plaintext", "app/secret.yaml", "app/db.env")
		for _, not := range []string{"app/settings.env", "app/deploy.yaml", "app/kustomization.yaml"} {
			if strings.Contains(res.stdout, not) {
				t.Errorf("%s: reports %s, which holds no secret:\n%s", strings.Join(args, " "), not, res.stdout)
			}
		}
		mustNotShowSops(t, strings.Join(args, " "), res.stdout+res.stderr)
	}
	res := run(t, "--config", cfg, "validate", "test")
	mustContain(t, "validate", res.stdout, "sops --encrypt --in-place app/secret.yaml", "rotate")

	res = run(t, "--config", cfg, "deploy", "test", "--kubeconfig", filepath.Join(dir, "no-kubeconfig"))
	wantCode(t, res, 3)
	mustContain(t, "deploy", res.stdout+res.stderr, "secrets/plaintext")
	mustNotShowSops(t, "deploy", res.stdout+res.stderr)

	writeFile(t, dir, "app/secret.yaml", string(sopstest.Encrypt(t, []byte(secret), formats.Yaml, sopstest.Options{}, r)))
	writeFile(t, dir, "app/db.env", string(sopstest.Encrypt(t, []byte("DSN="+sopsDSN+"\n"), formats.Dotenv, sopstest.Options{}, r)))
	res = run(t, "--config", cfg, "validate", "test")
	wantCode(t, res, 0)
	if strings.Contains(res.stdout, "secrets/plaintext") {
		t.Errorf("encrypted files reported:\n%s", res.stdout)
	}
}
