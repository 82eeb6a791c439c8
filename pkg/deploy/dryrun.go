package deploy

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// dryRunPlan knows what a dry run cannot ask the server about: objects in
// namespaces, and of kinds, that the same deploy would create first.
type dryRunPlan struct {
	newNamespaces map[string]bool
	newKinds      map[schema.GroupKind]bool
}

func planDryRun(ctx context.Context, client *kube.Client, phases []Phase) (*dryRunPlan, error) {
	pl := &dryRunPlan{newNamespaces: map[string]bool{}, newKinds: map[schema.GroupKind]bool{}}
	for _, p := range phases {
		if p.Name != PhaseNamespaces {
			continue
		}
		for _, o := range p.Objects {
			switch o.GetKind() {
			case "Namespace":
				_, err := client.Typed.CoreV1().Namespaces().Get(ctx, o.GetName(), metav1.GetOptions{})
				if apierrors.IsNotFound(err) {
					pl.newNamespaces[o.GetName()] = true
				} else if err != nil {
					return nil, fmt.Errorf("%s: %w", apply.RefOf(o), err)
				}
			case "CustomResourceDefinition":
				group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
				kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
				gk := schema.GroupKind{Group: group, Kind: kind}
				if _, err := client.Mapper.RESTMapping(gk); err != nil {
					pl.newKinds[gk] = true
				}
			}
		}
	}
	return pl, nil
}

// byKind splits objs into those the server can check and results for those
// whose kind a CRD of this deploy defines.
func (pl *dryRunPlan) byKind(phase string, objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, []ObjectResult) {
	return pl.split(phase, objs, func(o *unstructured.Unstructured) string {
		if pl.newKinds[o.GroupVersionKind().GroupKind()] {
			return fmt.Sprintf("kind %s is defined by a CRD this deploy creates", o.GetKind())
		}
		return ""
	})
}

// byNamespace does the same for objects (namespaces defaulted) in namespaces
// this deploy creates.
func (pl *dryRunPlan) byNamespace(phase string, objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, []ObjectResult) {
	return pl.split(phase, objs, func(o *unstructured.Unstructured) string {
		if ns := o.GetNamespace(); pl.newNamespaces[ns] {
			return fmt.Sprintf("namespace %s is created by this deploy", ns)
		}
		return ""
	})
}

func (pl *dryRunPlan) split(phase string, objs []*unstructured.Unstructured, why func(*unstructured.Unstructured) string) ([]*unstructured.Unstructured, []ObjectResult) {
	var send []*unstructured.Unstructured
	var skipped []ObjectResult
	for _, o := range objs {
		reason := why(o)
		if reason == "" {
			send = append(send, o)
			continue
		}
		skipped = append(skipped, ObjectResult{Ref: apply.RefOf(o), Phase: phase, Action: apply.Created,
			Message: "not checked by the server: " + reason})
	}
	return send, skipped
}
