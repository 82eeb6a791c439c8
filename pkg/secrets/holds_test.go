package secrets_test

import (
	"encoding/base64"
	"testing"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/kship/kship/internal/sopstest"
	"github.com/kship/kship/pkg/secrets"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestHolds(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	d := secrets.New(secrets.Options{})
	if _, err := d.Decode("db.env", sopstest.Encrypt(t, []byte("PASSWORD="+sentinel+"\n"), formats.Dotenv, sopstest.Options{}, id.Recipient().String())); err != nil {
		t.Fatal(err)
	}
	cm := func(kind, field, v string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": "x"}, field: map[string]any{"k": v}}}
	}
	tests := []struct {
		name string
		obj  *unstructured.Unstructured
		want bool
	}{
		{"ConfigMap from the encrypted env", cm("ConfigMap", "data", sentinel), true},
		{"ConfigMap binaryData", cm("ConfigMap", "binaryData", "czNudGluZWwtUGE1NXcwcmQtenE="), true},
		{"masked value", cm("ConfigMap", "data", secrets.Placeholder), true},
		{"plain ConfigMap", cm("ConfigMap", "data", "info"), false},
		{"not a ConfigMap", cm("Service", "data", sentinel), false},
	}
	for _, tt := range tests {
		if got := d.Holds(tt.obj); got != tt.want {
			t.Errorf("%s: Holds = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestQuotes(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	d := secrets.New(secrets.Options{})
	if _, err := d.Decode("db.env", sopstest.Encrypt(t, []byte("PASSWORD="+sentinel+"\n"), formats.Dotenv, sopstest.Options{}, id.Recipient().String())); err != nil {
		t.Fatal(err)
	}
	deploy := func(v string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "api"},
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "api", "env": []any{map[string]any{"name": "PASSWORD", "value": v}}}}}}}}}
	}
	if !d.Quotes(deploy(sentinel)) {
		t.Error("a Deployment whose env holds the decrypted value does not quote it")
	}
	if d.Quotes(deploy("plain")) {
		t.Error("a Deployment with plain values quotes a decrypted one")
	}
	if !d.Quotes(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "binaryData": map[string]any{"k": "czNudGluZWwtUGE1NXcwcmQtenE="}}}) {
		t.Error("a ConfigMap that Holds the value does not quote it")
	}
	var none *secrets.Decryptor
	if none.Quotes(deploy(sentinel)) {
		t.Error("no decryptor quotes something")
	}
}

// TestQuotesSplicedAndShortValues: a decrypted value spliced into a longer
// string (a DSN built by replacements) is quoted; the short values of a
// manifest encrypted whole ("v1", "Secret") are not looked for, or every
// object would count.
func TestQuotesSplicedAndShortValues(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	d := secrets.New(secrets.Options{})
	manifest := "apiVersion: v1\nkind: Secret\ntype: Opaque\nimmutable: true\nmetadata:\n  name: db-credentials\n  namespace: shop\n  annotations:\n    auth-snippet: Basic dXNlcjpwYXNzd29yZA==\nstringData:\n  password: " + sentinel + "\n"
	if _, err := d.Decode("secret.yaml", sopstest.Encrypt(t, []byte(manifest), formats.Yaml, sopstest.Options{}, id.Recipient().String())); err != nil {
		t.Fatal(err)
	}
	env := func(v string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "api"},
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "api", "env": []any{map[string]any{"name": "DSN", "value": v}}}}}}}}}
	}
	if !d.Quotes(env("postgres://app:" + sentinel + "@db:5432/app")) {
		t.Error("a Deployment whose env splices the decrypted value into a DSN does not quote it")
	}
	if d.Quotes(env("v1")) {
		t.Error(`a Deployment whose env is "v1" quotes a decrypted value: the short values of a manifest encrypted whole count`)
	}
	for text, want := range map[string]bool{
		`spec.env[0].value: Invalid value: "postgres://app:` + sentinel + `@db"`:        true,
		"data.k: Invalid value: " + base64.StdEncoding.EncodeToString([]byte(sentinel)): true,
		`metadata.name: Invalid value: "v1": a lowercase RFC 1123 subdomain`:            false,
		"the request failed": false,
		// An annotation can hold a credential.
		`metadata.annotations: Invalid value: "Basic dXNlcjpwYXNzd29yZA=="`: true,
		// What the manifest says of itself is no secret.
		`admission webhook "policy.example" denied the request: namespace shop: privileged: true`: false,
		`Secret "db-credentials" is invalid: type: Opaque`:                                        false,
	} {
		if got := d.Quoted(text); got != want {
			t.Errorf("Quoted(%q) = %v, want %v", text, got, want)
		}
	}
}
