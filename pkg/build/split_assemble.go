package build

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/resource"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// assembly is a split build's parts put together. parts[0] is the build
// with no entry of the fan-out: the objects every part shares.
type assembly struct {
	sl     *slicer
	parts  [][]*resource.Resource
	shared map[string]bool
	// owner maps every name an entry's object may have had to its part,
	// or to -1 when several parts' objects may have had it.
	owner map[string]int
	// scoped is owner by the namespace in which kustomize's name references
	// look for the object: its own, or anyNamespace for a cluster-scoped
	// object or a ServiceAccount (a RoleBinding may name one elsewhere).
	scoped map[scopedName]int
	all    []*resource.Resource
}

// idKey names an object as kustomize tells objects apart.
func idKey(r *resource.Resource) string {
	id := r.CurId()
	return id.Gvk.String() + "|" + id.EffectiveNamespace() + "|" + id.Name
}

// assemble puts the parts together, or says why they cannot stand for the
// whole build.
func assemble(parts [][]*resource.Resource, sl *slicer) (*assembly, string) {
	a := &assembly{sl: sl, parts: parts, shared: map[string]bool{}, owner: map[string]int{}, scoped: map[scopedName]int{}}
	sharedYAML := map[string][]byte{}
	for _, r := range parts[0] {
		y, err := r.AsYAML()
		if err != nil {
			return nil, err.Error()
		}
		sharedYAML[idKey(r)] = y
		a.shared[idKey(r)] = true
		a.all = append(a.all, r)
	}
	made := map[string]int{}
	for i := 1; i < len(parts); i++ {
		found := 0
		for _, r := range parts[i] {
			k := idKey(r)
			if want, ok := sharedYAML[k]; ok {
				y, err := r.AsYAML()
				if err != nil {
					return nil, err.Error()
				}
				if !bytes.Equal(y, want) {
					return nil, fmt.Sprintf("shared object %s comes out differently with %s", r.CurId(), a.sl.describe(i))
				}
				found++
				continue
			}
			if j, ok := made[k]; ok {
				return nil, fmt.Sprintf("%s and %s both make %s", a.sl.describe(j), a.sl.describe(i), r.CurId())
			}
			made[k] = i
			a.all = append(a.all, r)
			names, ok := a.names(r.GetName())
			if !ok {
				return nil, fmt.Sprintf("%s: too many names it may have had", r.CurId())
			}
			scope := referencedIn(r)
			for _, name := range names {
				own(a.owner, name, i)
				own(a.scoped, scopedName{scope, name}, i)
			}
		}
		if found != len(sharedYAML) {
			return nil, "a shared object is missing with " + a.sl.describe(i)
		}
	}
	if why := a.crossReferences(); why != "" {
		return nil, why
	}
	return a, ""
}

// crossReferences says where a part mentions a name that another part's
// object may have had: in the whole build, kustomize could point that
// reference at the other object. A shared object may mention one part's
// names (it comes out the same in every part only if that changes nothing),
// not several parts'.
func (a *assembly) crossReferences() string {
	var why string
	check := func(r *resource.Resource, part int) {
		var own *kyaml.Node // the object's own name refers to nothing
		if n, err := r.Pipe(kyaml.Lookup("metadata", "name")); err == nil && n != nil {
			own = n.YNode()
		}
		walkScalars(r.YNode(), func(n *kyaml.Node, isKey, _ bool) {
			if why != "" || isKey || n == own {
				return
			}
			toks, ok := a.names(n.Value)
			if !ok {
				why = fmt.Sprintf("%s: too many names %q may stand for", r.CurId(), n.Value)
				return
			}
			for _, tok := range toks {
				if a.reaches(r, tok, part) {
					why = fmt.Sprintf("%s mentions %q, which may name an object of another part", r.CurId(), tok)
					return
				}
			}
		})
	}
	for i, p := range a.parts {
		for _, r := range p {
			if i > 0 && a.shared[idKey(r)] {
				continue
			}
			if check(r, i); why != "" {
				return why
			}
		}
	}
	return ""
}

// reaches says whether a reference from r, of part part, to name tok may
// reach an object of another part: for a part's object, any other part's
// object that kustomize's name references would consider (one in r's
// namespace, or reachable from any, or any object at all when r is
// cluster-scoped); for a shared object, those of more than one part.
func (a *assembly) reaches(r *resource.Resource, tok string, part int) bool {
	var owners []int
	if r.CurId().IsClusterScoped() {
		if o, ok := a.owner[tok]; ok {
			owners = append(owners, o)
		}
	} else {
		for _, scope := range []string{r.CurId().EffectiveNamespace(), anyNamespace} {
			if o, ok := a.scoped[scopedName{scope, tok}]; ok {
				owners = append(owners, o)
			}
		}
	}
	for _, o := range owners {
		switch {
		case o < 0:
			return true
		case part > 0 && o != part:
			return true
		case part == 0 && o != owners[0]:
			return true
		}
	}
	return false
}

// scopedName is a name in the namespace references look for it in.
type scopedName struct{ ns, name string }

// anyNamespace is the scope of objects a reference from any namespace
// may reach.
const anyNamespace = "\x00any"

// referencedIn is the scope in which references look for r.
func referencedIn(r *resource.Resource) string {
	id := r.CurId()
	if id.IsClusterScoped() || id.Kind == "ServiceAccount" {
		return anyNamespace
	}
	return id.EffectiveNamespace()
}

// own records that part i's object may have had key as a name.
func own[K comparable](m map[K]int, key K, i int) {
	if o, ok := m[key]; ok && o != i {
		m[key] = -1
	} else {
		m[key] = i
	}
}

// names returns every name an object named name may have had in the
// build: name without its hash suffix and without any of the tree's name
// prefixes and suffixes, in any combination; false when there are too many to tell.
func (a *assembly) names(name string) ([]string, bool) {
	out := []string{name}
	for i := 0; i < len(out); i++ {
		if len(out) > maxNames {
			return nil, false
		}
		n := out[i]
		add := func(s string) {
			if s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		if j := strings.LastIndexByte(n, '-'); j >= 0 && len(n)-j-1 == hashLen {
			add(n[:j])
		}
		for _, p := range a.sl.t.prefixes {
			if strings.HasPrefix(n, p) {
				add(n[len(p):])
			}
		}
		for _, s := range a.sl.t.suffixes {
			if strings.HasSuffix(n, s) {
				add(n[:len(n)-len(s)])
			}
		}
	}
	return out, true
}

// maxNames bounds the names one name may stand for.
const maxNames = 256

// hashLen is the length of the content hash kustomize appends to a
// generated object's name.
const hashLen = 10

// entryName names part i by its entries.
func (a *assembly) entryName(i int) string {
	return a.sl.describe(i)
}
