package validate

import (
	"fmt"
	"strings"
	"testing"
)

// TestRedactEscapedValues: a finding quotes values as the API server does,
// in a quoted string with escapes; a Secret value or a decrypted one with
// a quote or a newline in it is removed in that form too.
func TestRedactEscapedValues(t *testing.T) {
	const secret, decrypted = "pa\"ss\nword-1", "dsn\tpa\"rt-2"
	secretObj := &manifest{secret: true, m: map[string]any{"stringData": map[string]any{"password": secret}}}
	fs := []Finding{
		{Field: "stringData.password", Message: fmt.Sprintf("Invalid value: %q: must be base64", secret)},
		{Field: "spec.env[0].value", Message: fmt.Sprintf("Invalid value: %q", "postgres://"+decrypted)},
		{Field: "data.k", Message: "Invalid value: " + secret},
	}
	fs = append(fs, Finding{Field: "spec.env[1].value", Message: "Invalid value: postgres://app:pass-77@db-host"})
	redact(fs, []*manifest{secretObj}, []string{"pass-77", "postgres://app:pass-77@db-host", decrypted})
	for _, f := range fs {
		for _, v := range []string{"ss", "word-1", "rt-2", "db-host"} {
			if strings.Contains(f.Message, v) {
				t.Errorf("finding at %s quotes a value: %s", f.Field, f.Message)
			}
		}
		if !strings.Contains(f.Message, "[redacted]") {
			t.Errorf("finding at %s: %s", f.Field, f.Message)
		}
	}
}
