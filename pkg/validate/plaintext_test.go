package validate_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/secrets"
	"github.com/kship/kship/pkg/validate"
)

var plaintextFiles = []validate.PlaintextFile{
	{Path: "overlays/stage/secret.yaml", What: "Secret manifest", Config: ".sops.yaml", Rule: 0, PathRegex: `secret.*\.yaml$`},
	{Path: "overlays/stage/db.env", What: "secretGenerator source", Config: "overlays/.sops.yaml", Rule: 2},
}

func TestPlaintextFinding(t *testing.T) {
	rep := runYAML(t, leakySecret, validate.Options{Environment: "stage", Plaintext: plaintextFiles})
	var got []validate.Finding
	for _, f := range rep.Findings {
		if f.Rule == validate.RulePlaintext {
			got = append(got, f)
		}
	}
	want := []validate.Finding{
		{
			Environment: "stage", Source: "overlays/stage/db.env", Rule: validate.RulePlaintext, Severity: validate.Error,
			Message: `plaintext secretGenerator source, but creation_rules[2] of overlays/.sops.yaml (no path_regex: it matches every file) says to encrypt it: ` +
				"run `sops --encrypt --in-place overlays/stage/db.env` (kship decrypts it when it builds); " +
				"if it was committed in plaintext, its values are in git history: rotate them",
		},
		{
			Environment: "stage", Source: "overlays/stage/secret.yaml", Rule: validate.RulePlaintext, Severity: validate.Error,
			Message: `plaintext Secret manifest, but creation_rules[0] of .sops.yaml (path_regex: secret.*\.yaml$) says to encrypt it: ` +
				"run `sops --encrypt --in-place overlays/stage/secret.yaml` (kship decrypts it when it builds); " +
				"if it was committed in plaintext, its values are in git history: rotate them",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if rep.Findings[0].Rule != validate.RulePlaintext {
		t.Errorf("file findings do not come first: %+v", rep.Findings[0])
	}

	var text, junit bytes.Buffer
	if err := validate.WriteText(&text, []*validate.Report{rep}); err != nil {
		t.Fatal(err)
	}
	if err := validate.WriteJUnit(&junit, []*validate.Report{rep}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\n  overlays/stage/db.env\n    error    plaintext secretGenerator source",
		"\n  overlays/stage/secret.yaml\n    error    plaintext Secret manifest",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(junit.String(), `<testcase name="overlays/stage/secret.yaml" classname="kship.validate.stage" file="overlays/stage/secret.yaml">`) {
		t.Errorf("no JUnit test case for the file:\n%s", junit.String())
	}
	for _, v := range secretValues {
		if strings.Contains(text.String()+junit.String(), v) {
			t.Errorf("output shows the secret value %q", v)
		}
	}
}

func TestPlaintextSeverity(t *testing.T) {
	for _, s := range []validate.Severity{validate.Off, validate.Warning} {
		rep := runYAML(t, deployment, validate.Options{Plaintext: plaintextFiles, Rules: map[string]validate.Severity{validate.RulePlaintext: s}})
		n := 0
		for _, f := range rep.Findings {
			if f.Rule == validate.RulePlaintext {
				n++
				if f.Severity != s {
					t.Errorf("severity %s, want %s", f.Severity, s)
				}
			}
		}
		if want := map[validate.Severity]int{validate.Off: 0, validate.Warning: 2}[s]; n != want {
			t.Errorf("%s: %d findings, want %d", s, n, want)
		}
	}
}

// TestPlaintextFileFromSecrets: what pkg/secrets reports converts as it is.
func TestPlaintextFileFromSecrets(t *testing.T) {
	u := secrets.Unencrypted{Path: "a", What: secrets.SecretManifest, Config: "b", Rule: 1, PathRegex: "c"}
	if got := validate.PlaintextFile(u); got != (validate.PlaintextFile{Path: "a", What: "Secret manifest", Config: "b", Rule: 1, PathRegex: "c"}) {
		t.Errorf("converted to %+v", got)
	}
}
