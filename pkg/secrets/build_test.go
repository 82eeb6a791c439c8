package secrets_test

import (
	"strings"
	"testing"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/kship/kship/internal/sopstest"
	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/secrets"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

const generators = `resources: [secret.yaml]
secretGenerator:
- name: tls
  files: [tls.key]
- name: db-env
  envs: [db.env]
configMapGenerator:
- name: settings
  envs: [settings.env]
`

// buildTree builds a tree of generators whose sources are encrypted for r
// (password holding the db password), and returns the output and the
// decryptor.
func buildTree(t *testing.T, r, password string) (string, *secrets.Decryptor) {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	files := map[string][]byte{
		"/app/kustomization.yaml": []byte(generators),
		"/app/secret.yaml":        sopstest.Encrypt(t, []byte(secretYAML), formats.Yaml, sopstest.Options{EncryptedRegex: "^stringData$"}, r),
		"/app/tls.key":            sopstest.Encrypt(t, []byte("KEY "+sentinel+"\n"), formats.Binary, sopstest.Options{}, r),
		"/app/db.env":             sopstest.Encrypt(t, []byte("PASSWORD="+password+"\n"), formats.Dotenv, sopstest.Options{}, r),
		"/app/settings.env":       sopstest.Encrypt(t, []byte("DSN=postgres://app:"+password+"@db\n"), formats.Dotenv, sopstest.Options{}, r),
	}
	for p, data := range files {
		if err := fs.WriteFile(p, data); err != nil {
			t.Fatal(err)
		}
	}
	d := secrets.New(secrets.Options{})
	m, err := build.BuildFS(fs, "/app", build.Options{Decoder: d})
	if err != nil {
		t.Fatal(err)
	}
	out, err := build.YAML(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), d
}

func TestBuildDecryptsEveryInput(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	out, d := buildTree(t, id.Recipient().String(), sentinel)
	for _, want := range []string{
		"password: " + sentinel, // the Secret resource
		"tls.key: S0VZI",        // base64 of "KEY ..."
		"PASSWORD: czNudGluZWwtUGE1NXcwcmQtenE=",
		"DSN: postgres://app:" + sentinel + "@db",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the build lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ENC[") || strings.Contains(out, "sops") {
		t.Errorf("ciphertext in the build:\n%s", out)
	}
	if len(d.Files()) != 4 {
		t.Errorf("decrypted %v, want the 4 encrypted files", d.Files())
	}
}

// TestGeneratorHashFollowsPlaintext: a re-encryption (new data key) keeps
// the generated names, a changed value changes them.
func TestGeneratorHashFollowsPlaintext(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	r := id.Recipient().String()
	first, _ := buildTree(t, r, sentinel)
	again, _ := buildTree(t, r, sentinel)
	changed, _ := buildTree(t, r, sentinel+"2")
	if first != again {
		t.Errorf("re-encrypting changed the build:\n%s\n---\n%s", first, again)
	}
	for _, name := range []string{"name: db-env-", "name: settings-"} {
		if hashed(first, name) == hashed(changed, name) {
			t.Errorf("%s...: a changed value kept the hash %s", name, hashed(first, name))
		}
	}
}

func hashed(out, prefix string) string {
	i := strings.Index(out, prefix)
	if i < 0 {
		return ""
	}
	rest := out[i+len(prefix):]
	return rest[:strings.IndexByte(rest, '\n')]
}

// TestBuildDecryptsPatchesAndReplacementSources: a patch and a
// replacements source are files kustomize reads like any other, and are
// decrypted before it parses them.
func TestBuildDecryptsPatchesAndReplacementSources(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	r := id.Recipient().String()
	fs := filesys.MakeFsInMemory()
	files := map[string][]byte{
		"/app/kustomization.yaml": []byte("resources: [deploy.yaml]\npatches: [{path: patch.yaml}]\nreplacements: [{path: replace.yaml}]\n"),
		"/app/deploy.yaml":        []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    metadata: {annotations: {owner: nobody}}\n    spec:\n      containers:\n      - name: api\n        image: api:1\n        env: [{name: TOKEN, value: none}]\n"),
		"/app/patch.yaml":         sopstest.Encrypt(t, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        env: [{name: TOKEN, value: "+sentinel+"}]\n"), formats.Yaml, sopstest.Options{EncryptedRegex: "^value$"}, r),
		"/app/replace.yaml": sopstest.Encrypt(t, []byte("source: {kind: Deployment, name: api, fieldPath: spec.template.spec.containers.0.env.0.value}\ntargets:\n- select: {kind: Deployment, name: api}\n  fieldPaths: [spec.template.metadata.annotations.owner]\n"),
			formats.Yaml, sopstest.Options{}, r),
	}
	for p, data := range files {
		if err := fs.WriteFile(p, data); err != nil {
			t.Fatal(err)
		}
	}
	d := secrets.New(secrets.Options{})
	m, err := build.BuildFS(fs, "/app", build.Options{Decoder: d})
	if err != nil {
		t.Fatal(err)
	}
	out, err := build.YAML(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"value: " + sentinel, "owner: " + sentinel} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the build lacks %q:\n%s", want, out)
		}
	}
	if got := d.Files(); len(got) != 2 {
		t.Errorf("decrypted %v, want the patch and the replacements file", got)
	}
}
