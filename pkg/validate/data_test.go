package validate_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/kship/kship/pkg/validate"
)

func TestDataRules(t *testing.T) {
	secretValue := strings.Repeat("s3cr3t-", 150000) // 1.05 MB
	runChecks(t, []check{
		{
			name: "Secret keys and size, never a value",
			yaml: "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\nstringData:\n  db password: " + secretValue + "\n  ok.key: x\n",
			want: []brief{
				{"Secret/shop/creds", "data", validate.RuleDataSize, validate.Error}, // as the API server names it
				{"Secret/shop/creds", "stringData[db password]", validate.RuleDataKey, validate.Error},
			},
			messages: []string{"Secret holds 1.00 MiB of data in all, more than the 1.00 MiB the API server allows", `key "db password" is not a valid key name`},
		},
		{
			name: "a Secret's data counts decoded, stringData replaces data",
			yaml: "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  a: " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 1<<20))) + "\nstringData:\n  a: short\n",
		},
		{
			name:     "ConfigMap keys",
			yaml:     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  \"\": x\n  \"..\": w\n  a/b: z\n",
			want:     []brief{{"ConfigMap/c", `data[""]`, validate.RuleDataKey, validate.Error}, {"ConfigMap/c", "data[..]", validate.RuleDataKey, validate.Error}, {"ConfigMap/c", "data[a/b]", validate.RuleDataKey, validate.Error}},
			messages: []string{`key "" is not a valid key name`, "must not be '..'", `key "a/b"`},
		},
		{
			name:  "other kinds' data is theirs",
			yaml:  "apiVersion: example.com/v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a/b: z\n",
			rules: []string{validate.RuleDataKey},
		},
	})
	rep := runYAML(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData:\n  db password: "+secretValue+"\n", validate.Options{})
	for _, f := range rep.Findings {
		if strings.Contains(f.Message+f.Field, "s3cr3t") {
			t.Errorf("a finding quotes the Secret's value: %s %s", f.Field, f.Message)
		}
	}
}

func TestObjectSizeRule(t *testing.T) {
	crd := "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: blobs.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Blob, plural: blobs}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}\n---\n"
	blob := func(n int) string {
		return crd + "apiVersion: example.com/v1\nkind: Blob\nmetadata: {name: b}\npayload: " + strings.Repeat("x", n) + "\n"
	}
	runChecks(t, []check{
		{name: "small", yaml: blob(1000), rules: []string{validate.RuleObjectSize}},
		{name: "under etcd's limit", yaml: blob(1500000), rules: []string{validate.RuleObjectSize}},
		{
			name: "over etcd's limit", yaml: blob(1600000), rules: []string{validate.RuleObjectSize},
			want:     []brief{{"Blob/b", "", validate.RuleObjectSize, validate.Error}},
			messages: []string{"the object takes 1.53 MiB in etcd (as JSON, as custom resources are stored), more than the 1.50 MiB etcd stores in one value"},
		},
		{
			name: "over the request limit", yaml: blob(3200000), rules: []string{validate.RuleObjectSize},
			want:     []brief{{"Blob/b", "", validate.RuleObjectSize, validate.Error}},
			messages: []string{"the object is 3.05 MiB as JSON, more than the 3.00 MiB the API server accepts in one request"},
		},
	})
}
