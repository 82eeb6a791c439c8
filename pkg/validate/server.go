package validate

import (
	"regexp"
	"strings"

	"github.com/kship/kship/pkg/validate/builtin"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// apiRules maps the API server's kinds of rejection to the rules that
// report them.
var apiRules = map[field.ErrorType]string{
	field.ErrorTypeRequired:     RuleAPIRequired,
	field.ErrorTypeInvalid:      RuleAPIInvalid,
	field.ErrorTypeTypeInvalid:  RuleAPIInvalid,
	field.ErrorTypeDuplicate:    RuleAPIDuplicate,
	field.ErrorTypeForbidden:    RuleAPIForbidden,
	field.ErrorTypeNotSupported: RuleAPINotSupported,
	field.ErrorTypeTooLong:      RuleAPITooLong,
	field.ErrorTypeTooMany:      RuleAPITooMany,
	field.ErrorTypeNotFound:     RuleAPIInvalid,
	field.ErrorTypeInternal:     RuleAPIInvalid,
	field.ErrorTypeTooShort:     RuleAPIInvalid,
	field.ErrorTypeTooFew:       RuleAPIInvalid,
}

// apiRule is the rule for a kind of rejection; api/invalid for any kind a
// later Kubernetes adds.
func apiRule(t field.ErrorType) string {
	if r, ok := apiRules[t]; ok {
		return r
	}
	return RuleAPIInvalid
}

// checkServer runs the API server's own validation of a create on o: for
// built-in kinds of the Kubernetes version the validation code is from,
// the kind's registry strategy; for custom resources, the CRD's schema as
// the apiextensions-apiserver applies it, CEL rules and formats included.
// It runs only on an object whose schema checks found no error: the API
// server decodes strictly before it validates, and a field of the wrong
// type would make its verdict noise. Rejections on a field kship's own
// checks already reported (or on a field above or below it) are dropped,
// so that one problem is reported once, by the more specific rule.
func (c *checker) checkServer(f *findings, o *manifest) {
	for _, e := range f.list {
		if e.Severity == Error && strings.HasPrefix(e.Rule, "schema/") {
			return
		}
	}
	if v := c.crds.rulesOf(o.apiVersion, o.ref.Kind); v != nil {
		errs := v.Check(o.m)
		c.addServerErrors(f, o, builtin.Issues(errs, false))
		return
	}
	if !strings.HasPrefix(c.cat.Version, "v"+builtin.KubernetesVersion+".") {
		return
	}
	ns := o.ref.Namespace
	if ns == "" {
		ns = "default" // where kubectl and kship put it without a namespace
	}
	res, ok, err := builtin.Check(o.u, ns)
	if !ok {
		return
	}
	if err != nil {
		f.add(o, "", RuleAPIInvalid, "the API server cannot decode it: %v", err)
		return
	}
	c.addServerErrors(f, o, res.Errors)
	for _, w := range res.Warnings {
		field, msg := splitWarning(w)
		f.add(o, field, RuleAPIWarning, "%s", msg)
	}
}

// addServerErrors reports the API server's rejections, but none on a field
// kship's own checks already reported on.
func (c *checker) addServerErrors(f *findings, o *manifest, errs []builtin.Issue) {
	reported := make([]string, 0, len(f.list))
	for _, e := range f.list {
		reported = append(reported, e.Field)
	}
	for _, e := range errs {
		path := templateMeta.ReplaceAllString(e.Field, "template.metadata.$1")
		if overlaps(reported, path) {
			continue
		}
		f.add(o, path, apiRule(e.Type), "%s", e.Message)
	}
}

// templateMeta finds the API server's paths for a pod template's labels
// and annotations, which leave out "metadata" (spec.template.labels).
var templateMeta = regexp.MustCompile(`template\.(labels|annotations)\b`)

// overlaps reports whether path is one of fields, or a field above or
// below one of them.
func overlaps(fields []string, path string) bool {
	for _, r := range fields {
		if r == "" {
			continue
		}
		r := strings.ReplaceAll(r, `"`, "") // kship writes data[""], the API server data[]
		if r == path || under(path, r) || under(r, path) {
			return true
		}
	}
	return false
}

// under reports whether path is a field below parent.
func under(path, parent string) bool {
	rest, ok := strings.CutPrefix(path, parent)
	return ok && rest != "" && (rest[0] == '.' || rest[0] == '[')
}

// warningField is a warning that starts with the field it is about, as the
// API server's strategies write them: "spec.template.spec...: message".
var warningField = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+|\[[^\]]*\])*): (.*)$`)

// splitWarning separates the field a warning names from its message.
func splitWarning(w string) (string, string) {
	if m := warningField.FindStringSubmatch(w); m != nil {
		return m[1], m[2]
	}
	return "", w
}
