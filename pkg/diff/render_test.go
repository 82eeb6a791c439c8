package diff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/object"
)

func sampleReport() *Report {
	return &Report{From: "main (merge-base 1a2b3c4)", To: "working tree", Plans: []*Plan{
		{Env: "stage", Unchanged: 2, Changes: []Change{{
			Ref: object.Ref{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"}, Action: Changed, Added: 1, Removed: 1,
			Diff: "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a: 1\n-b: \"```\"\n+b: \"````\"\n",
		}}, Prune: []object.Ref{{Kind: "ConfigMap", Namespace: "shop", Name: "old"}}},
		{Env: "prod", Unchanged: 3, Changes: []Change{}},
		{Env: "qa|x", Note: "environment added", Changes: []Change{}},
	}}
}

func TestText(t *testing.T) {
	var plain, color bytes.Buffer
	if err := Text(&plain, sampleReport(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "=== stage ===\n" +
		"# Deployment/shop/api: changed (+1 -1)\n" +
		"--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a: 1\n-b: \"```\"\n+b: \"````\"\n" +
		"# no longer in the build; a deploy would delete (prune):\n#   ConfigMap/shop/old\n" +
		"stage: 1 changed, 1 to prune, 2 unchanged\n" +
		"=== prod ===\nprod: no changes, 3 unchanged\n" +
		"=== qa|x ===\n# environment added\nqa|x: no changes, 0 unchanged\n"
	if d := cmp.Diff(want, plain.String()); d != "" {
		t.Errorf("text (-want +got):\n%s", d)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain text has colour codes")
	}
	if err := Text(&color, sampleReport(), TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{ansiGreen + "+b: \"````\"" + ansiReset, ansiRed + "-b: \"```\"" + ansiReset, ansiCyan + "@@ -1,2 +1,2 @@" + ansiReset, "\n a: 1\n"} {
		if !strings.Contains(color.String(), want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"### kship diff: `main (merge-base 1a2b3c4)` → `working tree`\n",
		"| stage | `Deployment/shop/api` | changed | +1 -1 |\n",
		"| stage | `ConfigMap/shop/old` | deleted (prune) | |\n",
		"| prod | | no changes, 3 unchanged | |\n",
		"| qa\\|x | | environment added | |\n",
		"<summary>stage <code>Deployment/shop/api</code>: changed (+1 -1)</summary>",
		// The diff holds a run of four backticks, so the fence has five.
		"\n`````diff\n--- a/x\n",
		"+b: \"````\"\n`````\n\n</details>\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		HasChanges   bool   `json:"hasChanges"`
		From         string `json:"from"`
		Environments []Plan `json:"environments"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.HasChanges || doc.From != "main (merge-base 1a2b3c4)" || len(doc.Environments) != 3 {
		t.Errorf("json = %+v", doc)
	}
	if got := doc.Environments[0].Changes[0].Ref.Kind; got != "Deployment" {
		t.Errorf("first change's kind = %q", got)
	}

	quiet := &Report{Plans: []*Plan{{Env: "prod", Changes: []Change{}}}}
	b.Reset()
	if err := JSON(&b, quiet); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"hasChanges": false`) || !strings.Contains(b.String(), `"changes": []`) {
		t.Errorf("json without changes:\n%s", b.String())
	}
}
