package validate_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/kship/kship/internal/golden"
	"github.com/kship/kship/pkg/validate"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// renderApp has findings of each severity, on objects with and without a
// source file, and an object with none.
const renderApp = deployment + `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: website}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {LOG_LEVEL: debug}
`

func renderReports(t *testing.T) []*validate.Report {
	t.Helper()
	source := func(u *unstructured.Unstructured) string {
		if u.GetKind() == "ConfigMap" {
			return ""
		}
		return "base/" + strings.ToLower(u.GetKind()) + ".yaml"
	}
	stage := runYAML(t, edit(edit(renderApp, "replicas: 2", "replica: 2"), "image: nginx:1.27", "image: nginx"), validate.Options{Environment: "stage", Source: source})
	prod := runYAML(t, edit(renderApp, "{app: website}", "{app: web}"), validate.Options{Environment: "prod", Source: source})
	return []*validate.Report{stage, prod}
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := validate.WriteText(&b, renderReports(t)); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/text.golden", b.Bytes())
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := validate.WriteJSON(&b, renderReports(t)); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/json.golden", b.Bytes())
}

func TestWriteJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := validate.WriteJUnit(&b, renderReports(t)); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/junit.golden", b.Bytes())
}

// secretValues are the values of leakySecret; no output may contain any.
var secretValues = []string{"p4ssw0rd-xyz", "s3cr3t-hunter2", base64.StdEncoding.EncodeToString([]byte("s3cr3t-hunter2")), "notbase64-t0ken!"}

// leakySecret is a Secret whose every part is wrong, so that every check
// that could quote a value runs on it, and a Deployment that repeats a
// secret value where findings do quote values.
var leakySecret = `apiVersion: v1
kind: Secret
metadata:
  name: Db_Credentials
  namespace: shop
  labels: {leak: "p4ssw0rd-xyz with spaces"}
  annotations: {"bad key": "p4ssw0rd-xyz"}
type: Opaque
data:
  password: ` + base64.StdEncoding.EncodeToString([]byte("s3cr3t-hunter2")) + `
  token: notbase64-t0ken!
  count: 12345
stringData:
  plain: p4ssw0rd-xyz
  mistake: {p4ssw0rd-xyz: 1}
unknown: p4ssw0rd-xyz
---
` + edit(deployment, "image: nginx:1.27", "image: p4ssw0rd-xyz") + `          env: [{name: P, valueFrom: {secretKeyRef: {name: Db_Credentials, key: p4ssw0rd-xyz}}}]
`

// TestSecretsNeverPrinted renders findings about a Secret's data in every
// format and requires that none shows a Secret value, raw or encoded.
func TestSecretsNeverPrinted(t *testing.T) {
	rep := runYAML(t, leakySecret, validate.Options{Environment: "prod"})
	for _, rule := range []string{validate.RuleName, validate.RuleLabels, validate.RuleAnnotations, validate.RuleFormat, validate.RuleType, validate.RuleUnknownField, validate.RuleImageTag, validate.RuleRefSecret} {
		if !contains(rulesOf(rep), rule) {
			t.Errorf("no %s finding: the test no longer exercises it\n%s", rule, findingLines(rep))
		}
	}
	writers := map[string]func(io.Writer, []*validate.Report) error{
		"text": validate.WriteText, "json": validate.WriteJSON, "junit": validate.WriteJUnit,
	}
	for name, write := range writers {
		var b bytes.Buffer
		if err := write(&b, []*validate.Report{rep}); err != nil {
			t.Fatal(err)
		}
		for _, v := range secretValues {
			if strings.Contains(b.String(), v) {
				t.Errorf("%s output shows the secret value %q:\n%s", name, v, b.String())
			}
		}
		if !strings.Contains(b.String(), "Db_Credentials") {
			t.Errorf("%s output does not name the Secret:\n%s", name, b.String())
		}
	}
}

func rulesOf(rep *validate.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Rule)
	}
	return out
}
