package validate

import (
	"path"

	"k8s.io/apimachinery/pkg/labels"
)

// ProductionPattern is the environment-name pattern that makes an
// environment production when kship.yaml does not say (production: true
// or false) for it.
const ProductionPattern = "prod*"

// IsProduction decides whether an environment is production: its explicit
// flag if set, else whether its name matches ProductionPattern.
func IsProduction(name string, flag *bool) bool {
	if flag != nil {
		return *flag
	}
	ok, _ := path.Match(ProductionPattern, name)
	return ok
}

// production reports, for production environments, Deployments that run
// fewer than two replicas or that no PodDisruptionBudget covers: one node
// drain or one bad pod away from an outage.
func (c *checker) production(f *findings) {
	if !c.opts.Production {
		return
	}
	minReplicas := c.hpaMinReplicas()
	pdbs := c.pdbSelectors()
	for _, t := range c.templates() {
		o := t.o
		if o.apiVersion != "apps/v1" || o.ref.Kind != "Deployment" {
			continue
		}
		if hpa, ok := minReplicas[o.ref.Namespace+"/"+o.ref.Name]; ok {
			if hpa.replicas < 2 {
				f.add(hpa.o, "spec.minReplicas", RuleProdReplicas, "minReplicas is %d for %s in production: set at least 2 so that one pod can fail or be evicted", hpa.replicas, o.ref)
			}
		} else {
			replicas := int64(1)
			if r, ok := number(get(o.m, "spec", "replicas")); ok {
				replicas = r
			}
			if replicas < 2 {
				f.add(o, "spec.replicas", RuleProdReplicas, "replicas is %d in production: run at least 2 so that one pod can fail or be evicted", replicas)
			}
		}
		covered := false
		for _, p := range pdbs {
			if p.ns == o.ref.Namespace && p.sel.Matches(labels.Set(t.labels)) {
				covered = true
				break
			}
		}
		if !covered {
			f.add(o, "", RuleProdPDB, "no PodDisruptionBudget in the build selects its pods: a node drain may evict them all at once")
		}
	}
}

type hpaMin struct {
	o        *manifest
	replicas int64
}

// hpaMinReplicas returns, by "namespace/name" of the Deployments HPAs
// scale, the HPA's minReplicas (default 1): that is what runs, whatever
// spec.replicas says.
func (c *checker) hpaMinReplicas() map[string]hpaMin {
	out := map[string]hpaMin{}
	for _, o := range c.objs {
		if o.ref.Kind != "HorizontalPodAutoscaler" || getString(o.m, "spec", "scaleTargetRef", "kind") != "Deployment" {
			continue
		}
		m := int64(1)
		if r, ok := number(get(o.m, "spec", "minReplicas")); ok {
			m = r
		}
		out[o.ref.Namespace+"/"+getString(o.m, "spec", "scaleTargetRef", "name")] = hpaMin{o: o, replicas: m}
	}
	return out
}

type pdbSel struct {
	ns  string
	sel labels.Selector
}

func (c *checker) pdbSelectors() []pdbSel {
	var out []pdbSel
	for _, o := range c.objs {
		if o.ref.Kind != "PodDisruptionBudget" {
			continue
		}
		raw := getMap(o.m, "spec", "selector")
		if raw == nil {
			continue
		}
		if sel, err := labelSelector(raw); err == nil {
			out = append(out, pdbSel{ns: o.ref.Namespace, sel: sel})
		}
	}
	return out
}

// number returns a JSON number as an int64.
func number(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}
