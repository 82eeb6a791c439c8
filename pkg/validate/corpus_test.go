package validate_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kship/kship/pkg/validate"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// corpusDir holds one manifest per case, each headed by comments:
//
//	# check: schema/unknown-field   the rule the case targets
//	# want: valid|invalid            what the API server says
//	# claim: no                      optional: a known gap validate does not claim to cover
//	# fill: data.blob 1048577          optional, repeatable: set the last object's field to that
//	                                   many bytes ("x"), base64-encoded with a third word "base64";
//	                                   size cases stay small on disk
//	# persist: yes                     optional: the oracle creates the objects for real (and
//	                                   deletes them), for limits a dry run never reaches (etcd's)
const corpusDir = "../../testdata/validate/corpus"

type corpusCase struct {
	name    string
	check   string
	want    string // "valid" or "invalid"
	claim   bool
	persist bool
	fills   []string
	objs    []*unstructured.Unstructured
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", corpusDir, err)
	}
	var out []corpusCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := corpusCase{name: strings.TrimSuffix(filepath.Base(f), ".yaml"), claim: true}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), "# ")
			if !ok {
				break
			}
			key, value, _ := strings.Cut(line, ": ")
			switch key {
			case "check":
				c.check = value
			case "want":
				c.want = value
			case "claim":
				c.claim = value != "no"
			case "persist":
				c.persist = value == "yes"
			case "fill":
				c.fills = append(c.fills, value)
			}
		}
		if c.check == "" || (c.want != "valid" && c.want != "invalid") {
			t.Fatalf("%s: want '# check: RULE' and '# want: valid|invalid' comments at the top", f)
		}
		if !slices.Contains(validate.RuleIDs(), c.check) {
			t.Fatalf("%s: check %q is not a rule id", f, c.check)
		}
		if c.objs, err = validate.ReadManifests(bytes.NewReader(b), f); err != nil {
			t.Fatal(err)
		}
		for _, fill := range c.fills {
			if err := fillField(c.objs[len(c.objs)-1], fill); err != nil {
				t.Fatalf("%s: fill %q: %v", f, fill, err)
			}
		}
		out = append(out, c)
	}
	return out
}

// fillField applies a "# fill: PATH BYTES [base64]" header to u.
func fillField(u *unstructured.Unstructured, spec string) error {
	words := strings.Fields(spec)
	if len(words) < 2 {
		return fmt.Errorf("want PATH BYTES [base64]")
	}
	n, err := strconv.Atoi(words[1])
	if err != nil {
		return err
	}
	v := strings.Repeat("x", n)
	if len(words) > 2 && words[2] == "base64" {
		v = base64.StdEncoding.EncodeToString([]byte(v))
	}
	return unstructured.SetNestedField(u.Object, v, strings.Split(words[0], ".")...)
}

// serverChecked reports whether the API server enforces what rule checks,
// so that the oracle can judge it.
func serverChecked(rule string) bool {
	family, _, _ := strings.Cut(rule, "/")
	return family == "api" || family == "schema" || family == "metadata" || family == "crd" || family == "object" || family == "data"
}

// verdict is validate's verdict on a case: invalid when a server-checked
// rule reports an error.
func verdict(rep *validate.Report) string {
	for _, f := range rep.Findings {
		if f.Severity == validate.Error && serverChecked(f.Rule) {
			return "invalid"
		}
	}
	return "valid"
}

// TestCorpus holds validate to each case's expected verdict without a
// cluster, and requires invalid cases to be found by the rule they target.
func TestCorpus(t *testing.T) {
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			rep, err := validate.Run(c.objs, validate.Options{Environment: "corpus"})
			if err != nil {
				t.Fatal(err)
			}
			got := verdict(rep)
			if !c.claim {
				if got == c.want {
					t.Errorf("validate now gets this known gap right (%s): drop '# claim: no'", got)
				}
				return
			}
			if got != c.want {
				t.Errorf("verdict %s, want %s; findings:\n%s", got, c.want, findingLines(rep))
			}
			if c.want == "invalid" && !slices.ContainsFunc(rep.Findings, func(f validate.Finding) bool { return f.Rule == c.check }) {
				t.Errorf("no %s finding; findings:\n%s", c.check, findingLines(rep))
			}
		})
	}
}

func findingLines(rep *validate.Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString("  " + f.Object.String() + " " + string(f.Severity) + " " + f.Rule + " " + f.Field + ": " + f.Message + "\n")
	}
	return b.String()
}
