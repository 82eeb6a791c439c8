package diff

import (
	"regexp"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// hashed matches a name kustomize's configMapGenerator or secretGenerator
// made: the generator's name, "-", and ten characters of kustomize's hash
// alphabet (hex with 0, 1, 3, a and e replaced by g, h, k, m and t).
var hashed = regexp.MustCompile(`^(.+)-[2456789bcdfghkmt]{10}$`)

// generated identifies a generator's output across hash changes.
type generated struct {
	kind, namespace, name string
}

// generatedKey returns u's generator identity, and false when u is not a
// ConfigMap or Secret with a hashed name.
func generatedKey(u *unstructured.Unstructured) (generated, bool) {
	if u == nil {
		return generated{}, false
	}
	gvk := u.GroupVersionKind()
	if gvk.Group != "" || gvk.Kind != "ConfigMap" && gvk.Kind != "Secret" {
		return generated{}, false
	}
	m := hashed.FindStringSubmatch(u.GetName())
	if m == nil {
		return generated{}, false
	}
	return generated{gvk.Kind, u.GetNamespace(), m[1]}, true
}

// entry is a Pair after renamed generator outputs have been paired.
type entry struct {
	Pair
	renamed bool
}

// pairRenamed turns each created generator output that has an old version
// (a deleted pair, or one of previous) into a single renamed entry. Among
// several old versions it picks the one the old side's objects refer to,
// then the newest, then the first by name.
func pairRenamed(pairs []Pair, previous []*unstructured.Unstructured) []entry {
	type candidate struct {
		obj     *unstructured.Unstructured
		deleted int // index of the deleted pair it comes from, or -1
	}
	candidates := map[generated][]candidate{}
	for i, p := range pairs {
		if k, ok := generatedKey(p.Before); ok && p.After == nil {
			candidates[k] = append(candidates[k], candidate{p.Before, i})
		}
	}
	for _, u := range previous {
		if k, ok := generatedKey(u); ok {
			candidates[k] = append(candidates[k], candidate{u, -1})
		}
	}
	inUse := referenced(pairs)
	consumed := map[int]bool{}
	out := make([]entry, 0, len(pairs))
	for _, p := range pairs {
		e := entry{Pair: p}
		k, ok := generatedKey(p.After)
		if cs := candidates[k]; ok && p.Before == nil && len(cs) > 0 {
			sort.SliceStable(cs, func(i, j int) bool { return older(cs[j].obj, cs[i].obj, inUse) })
			best := cs[0]
			candidates[k] = cs[1:]
			if best.obj.GetName() != p.After.GetName() {
				e.Before, e.renamed = best.obj, true
				if best.deleted >= 0 {
					consumed[best.deleted] = true
				}
			}
		}
		out = append(out, e)
	}
	kept := out[:0]
	for i, e := range out {
		if !consumed[i] {
			kept = append(kept, e)
		}
	}
	return kept
}

// older orders old versions from least to most likely to be the current one:
// in use beats unused, newer beats older, then names sort.
func older(a, b *unstructured.Unstructured, inUse map[string]bool) bool {
	if ua, ub := inUse[a.GetName()], inUse[b.GetName()]; ua != ub {
		return ub
	}
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return a.GetName() > b.GetName()
}

// referenced collects every string value in the old side's objects: the
// names a Deployment's envFrom, volumes and the like refer to.
func referenced(pairs []Pair) map[string]bool {
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			seen[v] = true
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, p := range pairs {
		if p.Before != nil && p.After != nil {
			walk(p.Before.Object)
		}
	}
	return seen
}
