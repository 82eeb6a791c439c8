package validate

import (
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/validate/openapi"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	apipath "k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/validation"
)

// nameRules are the name syntaxes the API server requires of kinds whose
// names are not DNS subdomains (RFC 1123), the default.
var nameRules = map[string]struct {
	check func(string) []string
	what  string
}{
	"Namespace": {validation.IsDNS1123Label, "a DNS label (RFC 1123)"},
	// Since RelaxedServiceNameValidation (GA in 1.36), Service names are
	// RFC 1123 labels too: they may start with a digit.
	"Service":            {validation.IsDNS1123Label, "a DNS label (RFC 1123)"},
	"Role":               {apipath.IsValidPathSegmentName, "a path segment"},
	"ClusterRole":        {apipath.IsValidPathSegmentName, "a path segment"},
	"RoleBinding":        {apipath.IsValidPathSegmentName, "a path segment"},
	"ClusterRoleBinding": {apipath.IsValidPathSegmentName, "a path segment"},
}

// checkName checks metadata.name and metadata.namespace of o.
func (c *checker) checkName(f *findings, o *manifest) {
	name := getString(o.m, "metadata", "name")
	switch {
	case name == "" && getString(o.m, "metadata", "generateName") != "":
		f.add(o, "metadata.name", RuleName, "name is required: kship applies objects by name, generateName is not enough")
	case name == "":
		f.add(o, "metadata.name", RuleName, "name is required")
	default:
		rule, ok := nameRules[o.ref.Kind]
		if !ok || o.group != "" && o.group != "rbac.authorization.k8s.io" {
			rule.check, rule.what = validation.IsDNS1123Subdomain, "a DNS subdomain (RFC 1123)"
		}
		if errs := rule.check(name); len(errs) > 0 {
			f.add(o, "metadata.name", RuleName, "%s must be %s: %s", o.ref.Kind, rule.what, strings.Join(errs, "; "))
		}
		c.checkCRDName(f, o, name)
	}
	if ns := getString(o.m, "metadata", "namespace"); ns != "" {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			f.add(o, "metadata.namespace", RuleNamespace, "namespace must be a DNS label (RFC 1123): %s", strings.Join(errs, "; "))
		}
	}
}

// checkCRDName requires a CRD's name to be <plural>.<group>.
func (c *checker) checkCRDName(f *findings, o *manifest, name string) {
	if !isCRD(o.u) {
		return
	}
	plural, group := getString(o.m, "spec", "names", "plural"), getString(o.m, "spec", "group")
	if want := plural + "." + group; plural != "" && group != "" && name != want {
		f.add(o, "metadata.name", RuleName, "a CRD's name must be <spec.names.plural>.<spec.group>, %q", want)
	}
}

// checkLabels checks label keys and values.
func (c *checker) checkLabels(f *findings, o *manifest, p openapi.Path, v any) {
	labels, _ := v.(map[string]any)
	for k, lv := range labels {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			f.add(o, p.String(), RuleLabels, "label key %q: %s", k, strings.Join(errs, "; "))
		}
		s, ok := lv.(string)
		if !ok {
			continue // the schema reports the type
		}
		if errs := validation.IsValidLabelValue(s); len(errs) > 0 {
			f.add(o, p.Field(k).String(), RuleLabels, "label value%s: %s", c.quote(o, s), strings.Join(errs, "; "))
		}
	}
}

// checkAnnotations checks annotation keys and their total size. Values
// are free text, and never quoted.
func (c *checker) checkAnnotations(f *findings, o *manifest, p openapi.Path, v any) {
	annotations, _ := v.(map[string]any)
	for k := range annotations {
		if errs := validation.IsQualifiedName(strings.ToLower(k)); len(errs) > 0 {
			f.add(o, p.String(), RuleAnnotations, "annotation key %q: %s", k, strings.Join(errs, "; "))
		}
	}
	if err := apivalidation.ValidateAnnotationsSize(stringMap(annotations)); err != nil {
		f.add(o, p.String(), RuleAnnotations, "annotations take more than the %s the API server allows in all (keys and values): move large values elsewhere, e.g. into a ConfigMap", humanSize(apivalidation.TotalAnnotationSizeLimitB))
	}
}

// quote renders a value for a message, or nothing for a Secret's.
func (c *checker) quote(o *manifest, v string) string {
	if o.secret {
		return ""
	}
	return fmt.Sprintf(" %q", v)
}
