package build

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/yaml"
)

// manifests returns the assembly in the order kustomize prints a build
// whose root has no sortOptions: its legacy order, kinds in a fixed order,
// then by namespace and name. The kinds' order is kustomize's own, read
// from a build of one stand-in object per kind; each part, which kustomize
// sorted, is checked to be in the order given here.
func (a *assembly) manifests() (*Manifests, string) {
	rank, why := kindOrder(a.all)
	if why != "" {
		return nil, why
	}
	keys := make(map[*resource.Resource]sortKey, len(a.all))
	key := func(r *resource.Resource) sortKey {
		k, ok := keys[r]
		if !ok {
			id := r.CurId()
			k = sortKey{rank[id.Gvk.String()], legacyIDString(id)}
			keys[r] = k
		}
		return k
	}
	compare := func(x, y *resource.Resource) int {
		kx, ky := key(x), key(y)
		if c := cmp.Compare(kx.rank, ky.rank); c != 0 {
			return c
		}
		return strings.Compare(kx.id, ky.id)
	}
	for i, p := range a.parts {
		for j := 1; j < len(p); j++ {
			if compare(p[j-1], p[j]) >= 0 {
				return nil, fmt.Sprintf("kustomize put %s before %s with %s, not in the order expected", p[j-1].CurId(), p[j].CurId(), a.sl.describe(i))
			}
		}
	}
	out := slices.Clone(a.all)
	slices.SortFunc(out, compare)
	return &Manifests{list: out}, ""
}

type sortKey struct {
	rank int
	id   string
}

// legacyIDString is how kustomize's legacy order tells objects of one
// kind apart.
func legacyIDString(id resid.ResId) string {
	ns, name := id.Namespace, id.Name
	if ns == "" {
		ns = "~X"
	}
	if name == "" {
		name = "~N"
	}
	return id.Gvk.String() + "|" + ns + "|" + name
}

// kindOrder ranks the kinds of objs as kustomize's legacy order does, by
// building one stand-in object of each.
func kindOrder(objs []*resource.Resource) (map[string]int, string) {
	var kinds []resid.Gvk
	seen := map[string]bool{}
	for _, r := range objs {
		g := r.GetGvk()
		if !seen[g.String()] {
			seen[g.String()] = true
			kinds = append(kinds, g)
		}
	}
	var docs []byte
	for _, g := range kinds {
		doc, err := yaml.Marshal(map[string]any{
			"apiVersion": g.ApiVersion(),
			"kind":       g.Kind,
			"metadata":   map[string]any{"name": "kind-order"},
		})
		if err != nil {
			return nil, err.Error()
		}
		docs = append(append(docs, "---\n"...), doc...)
	}
	fSys := filesys.MakeFsInMemory()
	if err := fSys.WriteFile("/kinds/objects.yaml", docs); err != nil {
		return nil, err.Error()
	}
	if err := fSys.WriteFile("/kinds/kustomization.yaml", []byte("resources:\n- objects.yaml\n")); err != nil {
		return nil, err.Error()
	}
	m, err := krusty.MakeKustomizer(Options{}.krusty()).Run(fSys, "/kinds")
	if err != nil {
		return nil, "ordering the kinds: " + err.Error()
	}
	rank := map[string]int{}
	for i, r := range m.Resources() {
		rank[r.GetGvk().String()] = i
	}
	if len(rank) != len(kinds) {
		return nil, "ordering the kinds: kustomize made something else of them"
	}
	for _, g := range kinds {
		if _, ok := rank[g.String()]; !ok {
			return nil, "ordering the kinds: " + g.String() + " went missing"
		}
	}
	return rank, ""
}
