package deploy

import (
	"context"
	"fmt"
	"sort"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	hpaGK = schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}
	jobGK = schema.GroupKind{Group: "batch", Kind: "Job"}
)

// scaledWorkloads returns the workloads of objs that a HorizontalPodAutoscaler
// scales, in the build or in the cluster (an HPA another tool made, such as
// KEDA's), with the HPA's name; and notes on what could not be looked up. An
// HPA in the cluster that the environment's own set (owner) deployed and the
// build no longer has is on its way out (the prune deletes it): it does not
// count.
func scaledWorkloads(ctx context.Context, client *kube.Client, objs []*unstructured.Unstructured, owner string) (map[object.Ref]string, []string) {
	inBuild := map[object.Ref]bool{}
	namespaces := map[string]bool{}
	out := map[object.Ref]string{}
	for _, o := range objs {
		if _, ok, _ := unstructured.NestedFieldNoCopy(o.Object, "spec", "template"); ok && o.GetNamespace() != "" {
			inBuild[object.RefOf(o)] = true
			namespaces[o.GetNamespace()] = true
		}
	}
	inBuildHPA := map[object.Ref]bool{}
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() == hpaGK {
			target(out, o.GetNamespace(), o.GetName(), o.Object)
			inBuildHPA[object.RefOf(o)] = true
		}
	}
	var notes []string
	names := make([]string, 0, len(namespaces))
	for ns := range namespaces {
		names = append(names, ns)
	}
	sort.Strings(names)
	for _, ns := range names {
		list, err := client.Dynamic.Resource(schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}).
			Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			if d, ok := kube.AsDenied(err); ok {
				notes = append(notes, fmt.Sprintf("cannot list HorizontalPodAutoscalers in %s, so an autoscaler made outside the build is not known to own replicas: %s", ns, d.Advice()))
			} else {
				notes = append(notes, fmt.Sprintf("cannot list HorizontalPodAutoscalers in %s: %v", ns, err))
			}
			continue
		}
		for i := range list.Items {
			h := &list.Items[i]
			leaving := owner != "" && h.GetLabels()[apply.LabelPartOf] == owner &&
				!inBuildHPA[object.Ref{Group: hpaGK.Group, Kind: hpaGK.Kind, Namespace: ns, Name: h.GetName()}]
			if !leaving {
				target(out, ns, h.GetName(), h.Object)
			}
		}
	}
	for r := range out {
		if !inBuild[r] {
			delete(out, r)
		}
	}
	return out, notes
}

// target records the workload an HPA object (its fields) scales.
func target(out map[object.Ref]string, ns, hpa string, obj map[string]any) {
	ref, _, _ := unstructured.NestedMap(obj, "spec", "scaleTargetRef")
	apiVersion, _ := ref["apiVersion"].(string)
	kind, _ := ref["kind"].(string)
	name, _ := ref["name"].(string)
	if kind == "" || name == "" {
		return
	}
	gv, _ := schema.ParseGroupVersion(apiVersion)
	r := object.Ref{Group: gv.Group, Kind: kind, Namespace: ns, Name: name}
	if _, ok := out[r]; !ok {
		out[r] = "HorizontalPodAutoscaler " + ns + "/" + hpa
	}
}
