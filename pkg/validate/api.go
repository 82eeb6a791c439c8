package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kship/kship/pkg/validate/openapi"
)

// schemaOf returns the schema for o's apiVersion and kind: a built-in
// kind's, or its CRD's. Otherwise it reports why there is none.
func (c *checker) schemaOf(f *findings, o *manifest) (*openapi.Schema, bool) {
	av, kind := o.apiVersion, o.ref.Kind
	if k, ok := c.cat.Lookup(av, kind); ok {
		s, err := k.Schema()
		if err != nil {
			// The shipped schemas are tested to compile; this is a bug.
			panic(fmt.Sprintf("validate: shipped schema of %s %s: %v", av, kind, err))
		}
		return s, true
	}
	if k, ok := c.crds.lookup(av, kind); ok {
		return k.Schema, k.Schema != nil
	}
	_, removed := lookupRemoval(av, kind)
	if removed || c.cat.HasGroup(o.group) || removedGroups[o.group] {
		f.add(o, "apiVersion", RuleRemovedAPI, "%s", c.notServed(av, kind))
		return nil, false
	}
	if versions := c.crds.versionsOf(o.group, kind); len(versions) > 0 {
		f.add(o, "apiVersion", RuleRemovedAPI, "the CRD for %s does not serve %s; it serves %s",
			kind, av, strings.Join(versions, ", "))
		return nil, false
	}
	f.add(o, "", RuleMissingCRD, "no CustomResourceDefinition for %s %s in the build or in --crds, so its fields are not checked: add the CRD to the build or pass --crds FILE",
		av, kind)
	return nil, false
}

// notServed explains that the pinned version does not serve av and kind,
// and what to use instead.
func (c *checker) notServed(av, kind string) string {
	msg := fmt.Sprintf("%s %s is not served by Kubernetes %s", av, kind, c.versionLabel())
	r, removed := lookupRemoval(av, kind)
	if removed {
		msg += ": removed in " + r.in
	}
	switch use := c.replacement(av, kind, r.use); {
	case use != "":
		return msg + ", use " + use
	case removed:
		return msg
	}
	if hint := openapi.Suggest(kind, c.cat.KindsOf(av)); hint != "" {
		return msg + fmt.Sprintf(": did you mean %s?", hint)
	}
	if kinds := c.cat.KindsOf(av); len(kinds) == 0 {
		return msg + ": it serves no " + av + " at all"
	}
	return msg
}

// replacement names the apiVersion that serves kind now: the table's, or
// a served version of the same kind, preferring the same group.
func (c *checker) replacement(av, kind, fromTable string) string {
	if fromTable != "" {
		return fromTable
	}
	served := c.cat.ServedAs(kind)
	if len(served) == 0 {
		return ""
	}
	group, _, _ := strings.Cut(av, "/")
	i := slices.IndexFunc(served, func(k *openapi.Kind) bool {
		g, _, _ := strings.Cut(k.GroupVersion, "/")
		return g == group
	})
	if i < 0 {
		i = 0
	}
	return served[i].GroupVersion
}

// versionLabel is the Kubernetes minor version validated against, "1.37".
func (c *checker) versionLabel() string {
	v := strings.TrimPrefix(c.opts.KubernetesVersion, "v")
	if v == "" {
		v = DefaultKubernetesVersion
	}
	return v
}
