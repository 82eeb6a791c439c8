package diff

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// obj parses a YAML object.
func obj(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

const deployV1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  uid: 1234
  resourceVersion: "10"
  generation: 1
  creationTimestamp: "2024-01-01T00:00:00Z"
  managedFields: [{manager: kship, operation: Apply}]
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
spec:
  replicas: 2
  template: {spec: {containers: [{name: api, image: api:v1}]}}
status: {replicas: 2}
`

func TestCompute(t *testing.T) {
	v2 := strings.Replace(deployV1, "api:v1", "api:v2", 1)
	noise := strings.NewReplacer(`"10"`, `"11"`, "generation: 1", "generation: 2", "uid: 1234", "uid: 5678",
		"replicas: 2}", "replicas: 1}", "kship, operation", "other, operation").Replace(deployV1)
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\ndata: {a: b}\n"
	tests := []struct {
		name      string
		pair      Pair
		want      *Change // nil: unchanged
		diffLines []string
	}{
		{name: "server-owned fields only", pair: Pair{Before: obj(t, deployV1), After: obj(t, noise)}},
		{name: "changed", pair: Pair{Before: obj(t, deployV1), After: obj(t, v2)},
			want:      &Change{Ref: object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}, Action: Changed, Added: 1, Removed: 1},
			diffLines: []string{"--- live/Deployment/shop/api", "+++ dry-run/Deployment/shop/api", "-      - image: api:v1", "+      - image: api:v2"}},
		{name: "created", pair: Pair{After: obj(t, cm), Note: "not checked"},
			want:      &Change{Ref: object.Ref{Kind: "ConfigMap", Namespace: "shop", Name: "c"}, Action: Created, Added: 7, Note: "not checked"},
			diffLines: []string{"--- /dev/null", "+++ dry-run/ConfigMap/shop/c", "@@ -0,0 +1,7 @@", "+apiVersion: v1", "+  a: b"}},
		{name: "deleted", pair: Pair{Before: obj(t, cm)},
			want:      &Change{Ref: object.Ref{Kind: "ConfigMap", Namespace: "shop", Name: "c"}, Action: Deleted, Removed: 7},
			diffLines: []string{"+++ /dev/null", "-kind: ConfigMap"}},
		{name: "recreate compares the manifest's fields only",
			pair: Pair{Before: obj(t, deployV1), After: obj(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec: {template: {spec: {containers: [{name: api, image: api:v2}]}}}\n"), Recreate: true},
			want: &Change{Ref: object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}, Action: Recreated, Added: 1, Removed: 1,
				Note: "an immutable field changed: the object will be deleted and created again; the diff covers the manifest's fields"},
			diffLines: []string{"-      - image: api:v1", "+      - image: api:v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Compute(Input{Env: "stage", Pairs: []Pair{tt.pair}}, Options{From: "live", To: "dry-run"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if len(plan.Changes) != 0 || plan.Unchanged != 1 {
					t.Fatalf("want unchanged, got %+v", plan)
				}
				return
			}
			if len(plan.Changes) != 1 {
				t.Fatalf("got %d changes, want 1: %+v", len(plan.Changes), plan)
			}
			got := plan.Changes[0]
			for _, l := range tt.diffLines {
				if !strings.Contains(got.Diff, l+"\n") {
					t.Errorf("diff lacks line %q:\n%s", l, got.Diff)
				}
			}
			for _, l := range []string{"managedFields", "resourceVersion", "uid:", "creationTimestamp", "last-applied", "status:"} {
				if strings.Contains(got.Diff, l) {
					t.Errorf("diff shows server-owned %q:\n%s", l, got.Diff)
				}
			}
			got.Diff = ""
			if d := cmp.Diff(*tt.want, got); d != "" {
				t.Errorf("change (-want +got):\n%s", d)
			}
		})
	}
}

func TestDeletionsLast(t *testing.T) {
	a := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	b := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
	plan, err := Compute(Input{Pairs: []Pair{{Before: obj(t, a)}, {After: obj(t, b)}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range plan.Changes {
		got = append(got, c.Title()+" "+string(c.Action))
	}
	if d := cmp.Diff([]string{"ConfigMap/b created", "ConfigMap/a deleted"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

const (
	plainOld = "hunter2-old-password"
	plainNew = "correct-horse-battery"
	plainAPI = "api-token-unchanged"
)

func secret(name string, data map[string]string, stringData map[string]string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: shop}\ntype: Opaque\n")
	if len(data) > 0 {
		b.WriteString("data:\n")
		for k, v := range data {
			b.WriteString("  " + k + ": " + base64.StdEncoding.EncodeToString([]byte(v)) + "\n")
		}
	}
	if len(stringData) > 0 {
		b.WriteString("stringData:\n")
		for k, v := range stringData {
			b.WriteString("  " + k + ": " + v + "\n")
		}
	}
	return b.String()
}

func TestSecretsMasked(t *testing.T) {
	before := obj(t, secret("db", map[string]string{"password": plainOld, "token": plainAPI, "gone": plainOld}, nil))
	after := obj(t, secret("db", map[string]string{"password": plainNew, "token": plainAPI}, map[string]string{"extra": plainNew}))
	plan, err := Compute(Input{Pairs: []Pair{{Before: before, After: after}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 {
		t.Fatalf("want 1 change, got %+v", plan)
	}
	d := plan.Changes[0].Diff
	for _, secret := range []string{plainOld, plainNew, plainAPI} {
		for _, form := range []string{secret, base64.StdEncoding.EncodeToString([]byte(secret))} {
			if strings.Contains(d, form) {
				t.Errorf("diff shows %q:\n%s", form, d)
			}
		}
	}
	for _, want := range []string{
		"-  password: '*** (20 bytes)'\n",
		"+  password: '*** (21 bytes, changed)'\n",
		"   token: '*** (19 bytes)'\n",
		"-  gone: '*** (20 bytes)'\n",
		"+  extra: '*** (21 bytes)'\n",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}

	// An unchanged Secret stays unchanged when masked.
	plan, err = Compute(Input{Pairs: []Pair{{Before: before, After: before.DeepCopy()}}}, Options{})
	if err != nil || plan.Unchanged != 1 {
		t.Errorf("unchanged Secret: %+v, %v", plan, err)
	}

	plan, err = Compute(Input{Pairs: []Pair{{Before: before, After: after}}}, Options{ShowSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := plan.Changes[0].Diff; !strings.Contains(d, plainNew) || !strings.Contains(d, base64.StdEncoding.EncodeToString([]byte(plainNew))) {
		t.Errorf("ShowSecrets: diff lacks the values:\n%s", d)
	}
}

func TestRenamedGeneratorOutput(t *testing.T) {
	cm := func(name, env string) *unstructured.Unstructured {
		return obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "+name+", namespace: shop}\ndata: {ENV: "+env+"}\n")
	}
	deploy := func(cmName string) *unstructured.Unstructured {
		return obj(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec: {template: {spec: {containers: [{name: api, envFrom: [{configMapRef: {name: "+cmName+"}}]}]}}}\n")
	}
	const oldName, newName, olderName = "api-config-5m2c4bbt6k", "api-config-h8fk6f7dm9", "api-config-2dkd98d9tt"
	tests := []struct {
		name     string
		in       Input
		want     []string
		previous string
	}{
		{name: "deleted and created pair up", in: Input{Pairs: []Pair{{Before: cm(oldName, "a")}, {After: cm(newName, "b")}}},
			want: []string{"ConfigMap/shop/" + oldName + " → " + newName + " renamed"}, previous: oldName},
		{name: "live previous versions: the one in use wins over a newer one", in: Input{
			Pairs: []Pair{{After: cm(newName, "b")}, {Before: deploy(oldName), After: deploy(newName)}},
			Previous: []*unstructured.Unstructured{
				withCreated(cm(olderName, "x"), "2030-01-01T00:00:00Z"), withCreated(cm(oldName, "a"), "2020-01-01T00:00:00Z"),
			}},
			want:     []string{"ConfigMap/shop/" + oldName + " → " + newName + " renamed", "Deployment/shop/api changed"},
			previous: oldName},
		{name: "without a reference the newest wins", in: Input{
			Pairs: []Pair{{After: cm(newName, "b")}},
			Previous: []*unstructured.Unstructured{
				withCreated(cm(oldName, "a"), "2020-01-01T00:00:00Z"), withCreated(cm(olderName, "x"), "2030-01-01T00:00:00Z"),
			}},
			want: []string{"ConfigMap/shop/" + olderName + " → " + newName + " renamed"}, previous: olderName},
		{name: "other namespace does not pair", in: Input{Pairs: []Pair{{Before: obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "+oldName+", namespace: other}\n")}, {After: cm(newName, "b")}}},
			want: []string{"ConfigMap/shop/" + newName + " created", "ConfigMap/other/" + oldName + " deleted"}},
		{name: "names without a hash do not pair", in: Input{Pairs: []Pair{{Before: cm("api-config-old", "a")}, {After: cm("api-config-new", "b")}}},
			want: []string{"ConfigMap/shop/api-config-new created", "ConfigMap/shop/api-config-old deleted"}},
		{name: "Secrets pair, not with ConfigMaps", in: Input{Pairs: []Pair{{Before: cm(oldName, "a")}, {After: obj(t, secret(newName, map[string]string{"k": "v"}, nil))}}},
			want: []string{"Secret/shop/" + newName + " created", "ConfigMap/shop/" + oldName + " deleted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Compute(tt.in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range plan.Changes {
				got = append(got, c.Title()+" "+string(c.Action))
				if c.Action == Renamed {
					if c.Previous == nil || c.Previous.Name != tt.previous {
						t.Errorf("previous = %v, want %s", c.Previous, tt.previous)
					}
					if !strings.Contains(c.Diff, "-  name: "+c.Previous.Name) || !strings.Contains(c.Diff, "+  name: "+newName) {
						t.Errorf("renamed diff does not show the name change:\n%s", c.Diff)
					}
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
		})
	}
}

func withCreated(u *unstructured.Unstructured, ts string) *unstructured.Unstructured {
	_ = unstructured.SetNestedField(u.Object, ts, "metadata", "creationTimestamp")
	return u
}

// TestRedactDecryptedValues: a value the build decrypted is not shown in
// any object's diff (here a Deployment's env), whatever else changes;
// --show-secrets shows it.
func TestRedactDecryptedValues(t *testing.T) {
	const value = "decrypted-Dsn-77"
	dep := func(image string) *unstructured.Unstructured {
		return obj(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: "+image+"\n        env: [{name: DSN, value: "+value+"}]\n")
	}
	in := Input{Pairs: []Pair{{Before: dep("api:1"), After: dep("api:2")}}}
	plan, err := Compute(in, Options{Redact: func() []string { return []string{value, "ab"} }})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 {
		t.Fatalf("want 1 change, got %+v", plan)
	}
	d := plan.Changes[0].Diff
	if strings.Contains(d, value) || !strings.Contains(d, "*** (decrypted value)") || !strings.Contains(d, "+        image: api:2") {
		t.Errorf("diff:\n%s", d)
	}
	plan, err = Compute(in, Options{ShowSecrets: true, Redact: func() []string { return []string{value} }})
	if err != nil || !strings.Contains(plan.Changes[0].Diff, value) {
		t.Errorf("--show-secrets hides the value: %v\n%s", err, plan.Changes[0].Diff)
	}
}

// TestRedactedChangeShows: when only a decrypted value changes, the diff
// still reports the change, and shows neither value.
func TestRedactedChangeShows(t *testing.T) {
	const old, new = "decrypted-Old-1", "decrypted-New-2"
	dep := func(v string) *unstructured.Unstructured {
		return obj(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        env: [{name: DSN, value: "+v+"}]\n")
	}
	plan, err := Compute(Input{Pairs: []Pair{{Before: dep(old), After: dep(new)}}}, Options{Redact: func() []string { return []string{old, new} }})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 {
		t.Fatalf("a changed decrypted value is no change: %+v", plan)
	}
	d := plan.Changes[0].Diff
	if strings.Contains(d, old) || strings.Contains(d, new) || !strings.Contains(d, "+          value: '*** (decrypted value, changed)'") {
		t.Errorf("diff:\n%s", d)
	}
}

// TestNotComparedAsTheServerStoresIt: a value built without its key is the
// placeholder in stringData, but a live diff compares the server's dry run,
// which stores it base64-encoded in data, and a generator's file may hold
// it among other text. Each form is "not compared", never a change.
func TestNotComparedAsTheServerStoresIt(t *testing.T) {
	const unknown = "ENCRYPTED/placeholder"
	live := obj(t, secret("db", map[string]string{"password": plainOld, "dsn": "host=db password=" + plainOld, "user": "app"}, nil))
	planned := obj(t, secret("db", map[string]string{"password": unknown, "dsn": "host=db password=" + unknown, "user": "app"}, nil))
	opts := Options{NotCompared: unknown}
	plan, err := Compute(Input{Pairs: []Pair{{Before: live, After: planned}}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Unchanged != 1 || len(plan.Changes) != 0 {
		t.Fatalf("values not compared show as a change: %+v", plan.Changes)
	}

	planned = obj(t, secret("db", map[string]string{"password": unknown, "dsn": "host=db password=" + unknown, "user": "admin"}, nil))
	plan, err = Compute(Input{Pairs: []Pair{{Before: live, After: planned}}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 {
		t.Fatalf("want 1 change, got %+v", plan)
	}
	d := plan.Changes[0].Diff
	for _, want := range []string{"   password: '*** (encrypted, not compared)'\n", "   dsn: '*** (encrypted, not compared)'\n", "+  user: '*** (5 bytes, changed)'\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}

	cm := func(v string) *unstructured.Unstructured {
		return obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata:\n  app.yaml: |\n    port: 80\n    dsn: "+v+"\n")
	}
	opts.Sensitive = func(*unstructured.Unstructured) bool { return true }
	plan, err = Compute(Input{Pairs: []Pair{{Before: cm(plainOld), After: cm(unknown)}}}, opts)
	if err != nil || plan.Unchanged != 1 {
		t.Errorf("a ConfigMap value holding the placeholder: %+v, %v", plan.Changes, err)
	}
}

// TestRenamedNotCompared: a generated ConfigMap built without its key gets
// its name's hash from the placeholder; the rename says it may not be real.
func TestRenamedNotCompared(t *testing.T) {
	const unknown = "ENCRYPTED/placeholder"
	cm := func(name, v string) *unstructured.Unstructured {
		return obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "+name+", namespace: shop}\ndata: {DSN: "+v+"}\n")
	}
	in := Input{Pairs: []Pair{{Before: cm("settings-5g5cm5kk7m", plainOld)}, {After: cm("settings-74969g2t7d", unknown)}}}
	sensitive := func(*unstructured.Unstructured) bool { return true }
	plan, err := Compute(in, Options{NotCompared: unknown, Sensitive: sensitive})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Action != Renamed || !strings.Contains(plan.Changes[0].Note, "without their key") {
		t.Fatalf("want one rename noted as built without the key, got %+v", plan.Changes)
	}
	plan, err = Compute(Input{Pairs: []Pair{{Before: cm("settings-5g5cm5kk7m", plainOld)}, {After: cm("settings-74969g2t7d", plainNew)}}}, Options{NotCompared: unknown, Sensitive: sensitive})
	if err != nil || len(plan.Changes) != 1 || plan.Changes[0].Note != "" {
		t.Errorf("a rename of read values has a note: %+v, %v", plan.Changes, err)
	}
}

// TestRedactValuesYAMLReshapes: YAML renders a multi-line value as a block
// and folds a long one with spaces; neither is shown. A value that holds a
// shorter one (a DSN around its password) is not shown in part either.
func TestRedactValuesYAMLReshapes(t *testing.T) {
	const key = "-----BEGIN KEY-----\nc2VjcmV0LWtleS1saW5lLW9uZQ==\nc2VjcmV0LWtleS1saW5lLXR3bw==\n-----END KEY-----\n"
	passphrase := strings.Repeat("correct horse battery staple ", 5) + "end-of-it"
	const password, dsn = "pw-Secret-9", "postgres://app:pw-Secret-9@db-host:5432/app"
	dep := func(image string) *unstructured.Unstructured {
		u := obj(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: "+image+"\n")
		env := []any{
			map[string]any{"name": "KEY", "value": key},
			map[string]any{"name": "PASSPHRASE", "value": passphrase},
			map[string]any{"name": "DSN", "value": dsn},
		}
		c, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
		c[0].(map[string]any)["env"] = env
		_ = unstructured.SetNestedSlice(u.Object, c, "spec", "template", "spec", "containers")
		return u
	}
	plan, err := Compute(Input{Pairs: []Pair{{Before: dep("api:1"), After: dep("api:2")}}},
		Options{Redact: func() []string { return []string{key, passphrase, password, dsn} }})
	if err != nil {
		t.Fatal(err)
	}
	d := plan.Changes[0].Diff
	for _, leak := range []string{"c2VjcmV0LWtleS1saW5lLW9uZQ", "battery staple", "db-host", "pw-Secret-9"} {
		if strings.Contains(d, leak) {
			t.Errorf("the diff shows %q:\n%s", leak, d)
		}
	}
	if !strings.Contains(d, "+        image: api:2") {
		t.Errorf("the image change is not shown:\n%s", d)
	}
}

// TestRedactDecryptedNumbers: a decrypted value that is a number (a PIN
// in a custom resource encrypted whole) is not shown either.
func TestRedactDecryptedNumbers(t *testing.T) {
	cr := func(note string) *unstructured.Unstructured {
		return obj(t, "apiVersion: example.com/v1\nkind: Vault\nmetadata: {name: v, namespace: shop}\nspec:\n  pin: 48213\n  accountId: 123456789012\n  note: "+note+"\n")
	}
	plan, err := Compute(Input{Pairs: []Pair{{Before: cr("a"), After: cr("b")}}}, Options{Redact: func() []string { return []string{"48213", "123456789012"} }})
	if err != nil {
		t.Fatal(err)
	}
	d := plan.Changes[0].Diff
	if strings.Contains(d, "48213") || strings.Contains(d, "123456789012") || !strings.Contains(d, "+  note: b") {
		t.Errorf("diff:\n%s", d)
	}
}
