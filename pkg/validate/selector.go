package validate

import (
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/validate/openapi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
)

// checkSelector checks a LabelSelector's syntax as the API server does.
func (c *checker) checkSelector(f *findings, o *manifest, p openapi.Path, m map[string]any) {
	c.checkLabels(f, o, p.Field("matchLabels"), m["matchLabels"])
	exprs, _ := m["matchExpressions"].([]any)
	for i, e := range exprs {
		expr, ok := e.(map[string]any)
		if !ok {
			continue
		}
		ep := p.Field("matchExpressions").Index(i)
		key, _ := expr["key"].(string)
		if errs := validation.IsQualifiedName(key); key != "" && len(errs) > 0 {
			f.add(o, ep.Field("key").String(), RuleSelector, "label key %q: %s", key, strings.Join(errs, "; "))
		}
		values, _ := expr["values"].([]any)
		switch op, _ := expr["operator"].(string); op {
		case "In", "NotIn":
			if len(values) == 0 {
				f.add(o, ep.Field("values").String(), RuleSelector, "operator %s needs at least one value", op)
			}
		case "Exists", "DoesNotExist":
			if len(values) > 0 {
				f.add(o, ep.Field("values").String(), RuleSelector, "operator %s takes no values", op)
			}
		case "":
		default:
			f.add(o, ep.Field("operator").String(), RuleSelector, "operator %q: want In, NotIn, Exists or DoesNotExist", op)
		}
		for j, v := range values {
			if s, ok := v.(string); ok {
				if errs := validation.IsValidLabelValue(s); len(errs) > 0 {
					f.add(o, ep.Field("values").Index(j).String(), RuleSelector, "label value%s: %s", c.quote(o, s), strings.Join(errs, "; "))
				}
			}
		}
	}
}

// selfSelecting are the kinds whose spec.selector must select their own
// spec.template.
var selfSelecting = map[string]bool{
	"apps/v1 Deployment": true, "apps/v1 ReplicaSet": true, "apps/v1 StatefulSet": true, "apps/v1 DaemonSet": true,
}

// checkTemplateSelector requires a workload's selector to be non-empty and
// to match its pod template's labels, and a Job to leave its selector to
// the API server unless spec.manualSelector is true.
func (c *checker) checkTemplateSelector(f *findings, o *manifest) {
	key := o.apiVersion + " " + o.ref.Kind
	if key == "batch/v1 Job" {
		if get(o.m, "spec", "selector") != nil && get(o.m, "spec", "manualSelector") != true {
			f.add(o, "spec.selector", RuleSelector, "a Job's selector is generated: remove it, or set spec.manualSelector: true")
		}
		return
	}
	if !selfSelecting[key] {
		return
	}
	raw := getMap(o.m, "spec", "selector")
	if raw == nil {
		return // the schema reports a missing selector
	}
	sel, err := labelSelector(raw)
	if err != nil {
		return // checkSelector reports a malformed one
	}
	if sel.Empty() {
		f.add(o, "spec.selector", RuleSelector, "empty selector: a %s must select its pods", o.ref.Kind)
		return
	}
	tmpl := stringMap(get(o.m, "spec", "template", "metadata", "labels"))
	if !sel.Matches(labels.Set(tmpl)) {
		f.add(o, "spec.template.metadata.labels", RuleSelector, "spec.selector (%s) does not match the pod template's labels", sel)
	}
}

// labelSelector parses an unstructured LabelSelector.
func labelSelector(raw map[string]any) (labels.Selector, error) {
	var ls metav1.LabelSelector
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &ls); err != nil {
		return nil, fmt.Errorf("selector: %w", err)
	}
	return metav1.LabelSelectorAsSelector(&ls)
}
