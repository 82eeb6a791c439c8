package secrets_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/internal/sopstest"
	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/secrets"
)

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: secret-reader
spec:
  selector: {matchLabels: {app: r}}
  template:
    metadata: {labels: {app: r}}
    spec:
      containers: [{name: r, image: r:1}]
`

// guarded is a kustomization with a Secret in plaintext and one encrypted,
// a Deployment whose name the Secret rule matches, secretGenerator sources
// in plaintext (one no rule matches) and encrypted, a ConfigMap generator
// source, and a sub-base with its own .sops.yaml.
const guarded = `resources:
- secret.yaml
- secret-enc.yaml
- secret-reader.yaml
- sub
secretGenerator:
- name: db-env
  envs: [db.env]
- name: tls
  files: [tls.key, ca=certs/../ca.key, notes.txt]
- name: legacy
  env: legacy.env
configMapGenerator:
- name: settings
  envs: [settings.env]
  files: [app.key]
`

// writeTree writes files under a new directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, data := range files {
		p = filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// buildPlaintext builds dir through pkg/build with opts and a Decryptor,
// and returns what Plaintext reports.
func buildPlaintext(t *testing.T, dir string, opts ...build.Options) []secrets.Unencrypted {
	t.Helper()
	d := secrets.New(secrets.Options{})
	var o build.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Decoder = d
	if _, err := build.Build(dir, o); err != nil {
		t.Fatal(err)
	}
	got, err := d.Plaintext()
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%+v", got); strings.Contains(s, sentinel) {
		t.Errorf("Plaintext shows a value: %s", s)
	}
	return got
}

func TestPlaintext(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	r := id.Recipient().String()
	sopsYAML := fmt.Sprintf(`creation_rules:
  - path_regex: secret.*\.yaml$
    encrypted_regex: ^(data|stringData)$
    age: %[1]s
  - path_regex: \.(env|key)$
    age: %[1]s
`, r)
	root := writeTree(t, map[string]string{
		".sops.yaml":             sopsYAML,
		"app/kustomization.yaml": guarded,
		"app/secret.yaml":        secretYAML,
		"app/secret-enc.yaml":    string(sopstest.Encrypt(t, []byte(strings.Replace(secretYAML, "name: db", "name: db2", 1)), formats.Yaml, sopstest.Options{EncryptedRegex: "^(data|stringData)$"}, r)),
		"app/secret-reader.yaml": deploymentYAML,
		"app/db.env":             "PASSWORD=" + sentinel + "\n",
		"app/legacy.env":         "TOKEN=" + sentinel + "\n",
		"app/tls.key":            string(sopstest.Encrypt(t, []byte("KEY "+sentinel+"\n"), formats.Binary, sopstest.Options{}, r)),
		"app/ca.key":             "CA " + sentinel + "\n",
		"app/notes.txt":          sentinel + "\n",
		"app/settings.env":       "LOG_LEVEL=debug\n",
		"app/app.key":            "not a secret\n",
		// The nearest .sops.yaml decides: its rule does not match.
		"app/sub/.sops.yaml":         "creation_rules:\n  - path_regex: ^prod/\n    age: " + r + "\n",
		"app/sub/kustomization.yaml": "resources: [secret.yaml]\n",
		"app/sub/secret.yaml":        strings.Replace(secretYAML, "name: db", "name: sub", 1),
	})
	got := buildPlaintext(t, filepath.Join(root, "app"))
	conf := filepath.Join(root, ".sops.yaml")
	want := []secrets.Unencrypted{
		{Path: filepath.Join(root, "app/ca.key"), What: secrets.GeneratorSource, Config: conf, Rule: 1, PathRegex: `\.(env|key)$`},
		{Path: filepath.Join(root, "app/db.env"), What: secrets.GeneratorSource, Config: conf, Rule: 1, PathRegex: `\.(env|key)$`},
		{Path: filepath.Join(root, "app/legacy.env"), What: secrets.GeneratorSource, Config: conf, Rule: 1, PathRegex: `\.(env|key)$`},
		{Path: filepath.Join(root, "app/secret.yaml"), What: secrets.SecretManifest, Config: conf, Rule: 0, PathRegex: `secret.*\.yaml$`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Plaintext (-want +got):\n%s", diff)
	}
}

func TestPlaintextRules(t *testing.T) {
	sopstest.NoKeys(t)
	r := sopstest.NewKey(t).Recipient().String()
	tree := map[string]string{
		"app/kustomization.yaml": "resources: [secret.yaml]\n",
		"app/secret.yaml":        secretYAML,
	}
	tests := []struct {
		name     string
		sopsYAML string // none if empty
		want     []secrets.Unencrypted
	}{
		{name: "no .sops.yaml"},
		{name: "no creation rules", sopsYAML: "stores: {yaml: {indent: 2}}\n"},
		{name: "no rule matches", sopsYAML: "creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: " + r + "\n"},
		{
			name:     "a rule without path_regex matches every file",
			sopsYAML: "creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: " + r + "\n  - age: " + r + "\n",
			want:     []secrets.Unencrypted{{Path: "app/secret.yaml", What: secrets.SecretManifest, Config: ".sops.yaml", Rule: 1}},
		},
		{
			name:     "path_regex is matched relative to the .sops.yaml",
			sopsYAML: "creation_rules:\n  - path_regex: ^app/[^/]*\\.yaml$\n    age: " + r + "\n",
			want:     []secrets.Unencrypted{{Path: "app/secret.yaml", What: secrets.SecretManifest, Config: ".sops.yaml", Rule: 0, PathRegex: `^app/[^/]*\.yaml$`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for p, data := range tree {
				files[p] = data
			}
			if tt.sopsYAML != "" {
				files[".sops.yaml"] = tt.sopsYAML
			}
			root := writeTree(t, files)
			got := buildPlaintext(t, filepath.Join(root, "app"))
			for i := range tt.want {
				tt.want[i].Path = filepath.Join(root, tt.want[i].Path)
				tt.want[i].Config = filepath.Join(root, tt.want[i].Config)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Plaintext (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPlaintextOrder: the kustomization may be read after its sources.
func TestPlaintextOrder(t *testing.T) {
	sopstest.NoKeys(t)
	root := writeTree(t, map[string]string{
		".sops.yaml":             "creation_rules:\n  - path_regex: \\.env$\n    age: " + sopstest.NewKey(t).Recipient().String() + "\n",
		"app/kustomization.yaml": "secretGenerator:\n- name: db\n  envs: [db.env]\n",
		"app/db.env":             "PASSWORD=" + sentinel + "\n",
	})
	d := secrets.New(secrets.Options{})
	for _, name := range []string{"db.env", "kustomization.yaml"} {
		p := filepath.Join(root, "app", name)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Decode(p, data); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Plaintext()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != filepath.Join(root, "app/db.env") {
		t.Errorf("Plaintext = %+v, want app/db.env", got)
	}
}

func TestPlaintextBadConfig(t *testing.T) {
	sopstest.NoKeys(t)
	root := writeTree(t, map[string]string{
		".sops.yaml":             "creation_rules: [\n",
		"app/kustomization.yaml": "resources: [secret.yaml]\n",
		"app/secret.yaml":        secretYAML,
	})
	d := secrets.New(secrets.Options{})
	if _, err := build.Build(filepath.Join(root, "app"), build.Options{Decoder: d}); err != nil {
		t.Fatal(err)
	}
	_, err := d.Plaintext()
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, ".sops.yaml")) || !strings.Contains(err.Error(), "secret.yaml") {
		t.Fatalf("want an error naming the .sops.yaml and the file, got %v", err)
	}
}

// TestPlaintextEditedTop: with --image and origins, which build from an
// edited copy of the top kustomization, its generators still count.
func TestPlaintextEditedTop(t *testing.T) {
	sopstest.NoKeys(t)
	root := writeTree(t, map[string]string{
		".sops.yaml":             "creation_rules:\n  - path_regex: \\.env$\n    age: " + sopstest.NewKey(t).Recipient().String() + "\n",
		"app/kustomization.yaml": "resources: [secret-reader.yaml]\nsecretGenerator:\n- name: db\n  envs: [db.env]\n",
		"app/secret-reader.yaml": deploymentYAML,
		"app/db.env":             "PASSWORD=" + sentinel + "\n",
	})
	got := buildPlaintext(t, filepath.Join(root, "app"), build.Options{Images: []build.Image{{Name: "r", NewTag: "2"}}, Origins: build.Origins{}})
	if len(got) != 1 || got[0].Path != filepath.Join(root, "app/db.env") {
		t.Errorf("Plaintext = %+v, want app/db.env", got)
	}
}
