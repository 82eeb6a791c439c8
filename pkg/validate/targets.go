package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// selectors reports Services and PodDisruptionBudgets that select no pod
// template of the build, and HorizontalPodAutoscalers that scale an object
// the build does not contain.
func (c *checker) selectors(f *findings) {
	templates := c.templates()
	for _, o := range c.objs {
		switch o.apiVersion + " " + o.ref.Kind {
		case "v1 Service":
			c.serviceSelector(f, o, templates)
		case "policy/v1 PodDisruptionBudget":
			c.pdbSelector(f, o, templates)
		case "autoscaling/v1 HorizontalPodAutoscaler", "autoscaling/v2 HorizontalPodAutoscaler":
			c.hpaTarget(f, o)
		}
	}
}

func (c *checker) serviceSelector(f *findings, o *manifest, templates []*podTemplate) {
	sel := stringMap(get(o.m, "spec", "selector"))
	if len(sel) == 0 || getString(o.m, "spec", "type") == "ExternalName" {
		return // endpoints managed by hand, or no pods at all
	}
	if _, ok := matching(templates, o.ref.Namespace, labels.SelectorFromSet(sel)); ok {
		return
	}
	f.add(o, "spec.selector", RuleServiceSelector, "selects no pod template in the build (%s)%s", labels.Set(sel), nearest(templates, o.ref.Namespace, sel))
}

func (c *checker) pdbSelector(f *findings, o *manifest, templates []*podTemplate) {
	raw := getMap(o.m, "spec", "selector")
	if raw == nil {
		f.add(o, "spec.selector", RulePDBSelector, "has no selector, so it covers no pods")
		return
	}
	sel, err := labelSelector(raw)
	if err != nil {
		return // the schema and selector checks report it
	}
	if _, ok := matching(templates, o.ref.Namespace, sel); ok {
		return
	}
	f.add(o, "spec.selector", RulePDBSelector, "selects no pod template in the build (%s)%s", sel, nearest(templates, o.ref.Namespace, stringMap(raw["matchLabels"])))
}

func (c *checker) hpaTarget(f *findings, o *manifest) {
	target := getMap(o.m, "spec", "scaleTargetRef")
	kind, name := getString(target, "kind"), getString(target, "name")
	if kind == "" || name == "" {
		return // the schema reports it
	}
	// apiVersion is optional in a scaleTargetRef: without it, any group.
	av := getString(target, "apiVersion")
	group, _, hasGroup := strings.Cut(av, "/")
	for _, t := range c.objs {
		sameGroup := av == "" || hasGroup && t.group == group || !hasGroup && t.group == ""
		if t.ref.Kind == kind && t.ref.Name == name && t.ref.Namespace == o.ref.Namespace && sameGroup {
			return
		}
	}
	f.add(o, "spec.scaleTargetRef", RuleHPATarget, "scales %s/%s, which the build does not contain in namespace %q", kind, name, o.ref.Namespace)
}

// matching returns the first template in namespace ns whose labels sel
// selects.
func matching(templates []*podTemplate, ns string, sel labels.Selector) (*podTemplate, bool) {
	for _, t := range templates {
		if t.o.ref.Namespace == ns && sel.Matches(labels.Set(t.labels)) {
			return t, true
		}
	}
	return nil, false
}

// nearest names the template that shares the most of want's labels (a
// key with another value counts half), and the labels it lacks or has with
// other values: the likely typo.
func nearest(templates []*podTemplate, ns string, want map[string]string) string {
	var best *podTemplate
	bestScore := 0
	for _, t := range templates {
		if t.o.ref.Namespace != ns {
			continue
		}
		score := 0
		for k, v := range want {
			if got, ok := t.labels[k]; ok {
				score++
				if got == v {
					score++
				}
			}
		}
		if score > bestScore {
			best, bestScore = t, score
		}
	}
	if best == nil {
		return ""
	}
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got, ok := best.labels[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("no label %s", k))
		} else if got != want[k] {
			diffs = append(diffs, fmt.Sprintf("%s=%s", k, got))
		}
	}
	return fmt.Sprintf("; nearest is %s, which has %s", best.o.ref, strings.Join(diffs, ", "))
}
