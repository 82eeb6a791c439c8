package validate

import (
	"cmp"
	"slices"
	"strings"

	"github.com/kship/kship/pkg/object"
)

// Severity is how much a finding matters. A rule set to Off reports nothing.
type Severity string

// The severities a rule can have; kship.yaml spells them the same way.
const (
	Off     Severity = "off"
	Warning Severity = "warning"
	Error   Severity = "error"
)

// ParseSeverity reads off, warning or error.
func ParseSeverity(s string) (Severity, bool) {
	switch v := Severity(s); v {
	case Off, Warning, Error:
		return v, true
	}
	return "", false
}

// Finding is one problem with one object, or, for a File rule
// (secrets/plaintext), with one file the build read: then Object is zero
// and Source is the file. Nothing in it quotes a Secret's data: findings
// on Secrets name fields, never values.
type Finding struct {
	Environment string     `json:"environment"`
	Object      object.Ref `json:"object,omitzero"`
	Field       string     `json:"field,omitempty"`  // spec.template.spec.containers[0].image
	Source      string     `json:"source,omitempty"` // the file the object came from
	Rule        string     `json:"rule"`
	Severity    Severity   `json:"severity"`
	Message     string     `json:"message"`
}

// Report is the outcome of validating one environment's objects.
type Report struct {
	Environment string `json:"environment"`
	// KubernetesVersion is the version whose schemas were used, "v1.37.1".
	KubernetesVersion string `json:"kubernetesVersion"`
	// Objects lists every object validated, in build order.
	Objects  []object.Ref `json:"objects"`
	Findings []Finding    `json:"findings"`
	// FailOn is Options.FailOn, resolved: Error or Warning.
	FailOn Severity `json:"-"`
}

// Fails reports whether f fails a validation that fails on failOn.
func (f Finding) Fails(failOn Severity) bool {
	return f.Severity == Error || f.Severity == Warning && failOn == Warning
}

// Failures counts the findings that fail the validation: its errors, and
// its warnings when FailOn is Warning.
func (r *Report) Failures() int {
	n := 0
	for _, f := range r.Findings {
		if f.Fails(r.FailOn) {
			n++
		}
	}
	return n
}

// Errors counts the error findings.
func (r *Report) Errors() int { return r.count(Error) }

// Warnings counts the warning findings.
func (r *Report) Warnings() int { return r.count(Warning) }

func (r *Report) count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// For returns the findings about o, in report order.
func (r *Report) For(o object.Ref) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Object == o {
			out = append(out, f)
		}
	}
	return out
}

// aboutFile reports whether f is about a file the build read rather than
// an object: its rule is a File rule.
func (f Finding) aboutFile() bool {
	r, ok := ruleByID(f.Rule)
	return ok && r.File
}

// file is the file f is about, or "" for a finding about an object.
func (f Finding) file() string {
	if f.aboutFile() {
		return f.Source
	}
	return ""
}

// sortFindings orders findings about files first, by file, then those
// about objects by object (in build order), then field, then rule, so that
// output is stable.
func sortFindings(fs []Finding, order map[object.Ref]int) {
	rank := func(f Finding) int {
		if f.aboutFile() {
			return -1
		}
		return order[f.Object]
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(rank(a), rank(b)),
			strings.Compare(a.file(), b.file()),
			strings.Compare(a.Object.String(), b.Object.String()),
			strings.Compare(a.Field, b.Field),
			strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.Message, b.Message),
		)
	})
}
