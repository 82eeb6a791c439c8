package treegen

import (
	"fmt"

	"sigs.k8s.io/yaml"
)

// CRDsGroup is the API group of the CRDs that CRDs writes.
const CRDsGroup = "crds.kship.dev"

// CRDsObjects is how many objects CRDs(dir, crds, each) builds to.
func CRDsObjects(crds, each int) int { return crds * (1 + each) }

// CRDs writes to dir a CRD-heavy tree, as an operator's: crds
// CustomResourceDefinitions with large schemas (each a few hundred KB,
// with CEL rules) and each instances of every one, all valid.
//
// Build dir itself. It creates dir if needed and overwrites files it writes.
func CRDs(dir string, crds, each int) error {
	if crds < 1 || crds > 100 || each < 0 || each > 1000 {
		return fmt.Errorf("treegen: crds: %d CRDs of %d instances, want 1..100 and 0..1000", crds, each)
	}
	t := tree{}
	r := newRand(uint64(crds*1000 + each))
	var resources []string
	for i := range crds {
		crd, kind := crdObject(r, CRDsGroup, i, true)
		b, err := yaml.Marshal(crd)
		if err != nil {
			return err
		}
		p := fmt.Sprintf("crds/gadget%d.yaml", i)
		t.add(p, string(b))
		resources = append(resources, p)
		docs := ""
		for j := range each {
			b, err := yaml.Marshal(crdInstance(r, CRDsGroup+"/v1", kind, fmt.Sprintf("gadget%d-%03d", i, j)))
			if err != nil {
				return err
			}
			docs += "---\n" + string(b)
		}
		if each > 0 {
			p := fmt.Sprintf("instances/gadget%d.yaml", i)
			t.add(p, docs)
			resources = append(resources, p)
		}
	}
	t.add("kustomization.yaml", `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: gadgets
commonLabels:
  app.kubernetes.io/part-of: gadgets
resources:
%s`, yamlList(2, resources))
	return t.write(dir)
}
