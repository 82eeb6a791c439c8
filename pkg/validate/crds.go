package validate

import (
	"slices"
	"strings"
	"sync"

	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/validate/crdrules"
	"github.com/kship/kship/pkg/validate/openapi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// crdSet holds the custom resource kinds the build and --crds define.
type crdSet struct {
	kinds    map[string]*openapi.CRDKind // by "group/version Kind"
	findings []Finding
	// rules are the API server's validators of each kind, compiled on
	// first use (their CEL rules are costly to compile).
	rules map[string]func() (*crdrules.Validator, error)
}

// rulesOf returns the API server's validator of kind, or nil for a kind
// without a schema, or whose schema the API server's code cannot use.
func (s *crdSet) rulesOf(apiVersion, kind string) *crdrules.Validator {
	compile, ok := s.rules[apiVersion+" "+kind]
	if !ok {
		return nil
	}
	v, err := compile()
	if err != nil {
		return nil
	}
	return v
}

func (s *crdSet) lookup(apiVersion, kind string) (*openapi.CRDKind, bool) {
	k, ok := s.kinds[apiVersion+" "+kind]
	return k, ok
}

// versionsOf lists the served apiVersions of kind in group.
func (s *crdSet) versionsOf(group, kind string) []string {
	var out []string
	for _, k := range s.kinds {
		if g, _, _ := strings.Cut(k.GroupVersion, "/"); g == group && k.Kind == kind {
			out = append(out, k.GroupVersion)
		}
	}
	slices.Sort(out)
	return out
}

// isCRD reports whether u is an apiextensions.k8s.io/v1 CRD.
func isCRD(u *unstructured.Unstructured) bool {
	return object.IsCRD(u) && u.GetAPIVersion() == "apiextensions.k8s.io/v1"
}

// collectCRDs compiles the CRDs of opts.CRDs, then the build's, which win
// for the same kind: the build's are what the deploy installs.
func (c *checker) collectCRDs() *crdSet {
	set := &crdSet{kinds: map[string]*openapi.CRDKind{}, rules: map[string]func() (*crdrules.Validator, error){}}
	meta, err := c.cat.ObjectMeta()
	if err != nil {
		panic("validate: shipped ObjectMeta schema: " + err.Error())
	}
	f := findings{c: c}
	add := func(o *manifest) {
		kinds, err := openapi.CompileCRD(o.m, meta)
		if err != nil {
			f.add(o, "spec.versions", RuleCRDSchema, "cannot use the schema, so instances are not checked: %v", err)
			return
		}
		for _, k := range kinds {
			set.kinds[k.GroupVersion+" "+k.Kind] = k
			if k.OpenAPIV3Schema != nil {
				set.rules[k.GroupVersion+" "+k.Kind] = sync.OnceValues(func() (*crdrules.Validator, error) { return crdrules.Compile(k.OpenAPIV3Schema) })
			} else {
				delete(set.rules, k.GroupVersion+" "+k.Kind)
			}
		}
	}
	for _, u := range c.opts.CRDs {
		if isCRD(u) {
			add(newManifest(u, &c.opts))
		}
	}
	for _, o := range c.objs {
		if isCRD(o.u) {
			add(o)
		}
	}
	set.findings = f.list
	return set
}
