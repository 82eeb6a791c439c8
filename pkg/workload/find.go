package workload

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/object"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// Workload is a member that runs pods, and the selector of its pods.
type Workload struct {
	Ref      object.Ref
	Selector labels.Selector
}

// kinds are the workload kinds, by group and kind.
var kinds = map[string]bool{"apps/Deployment": true, "apps/StatefulSet": true, "apps/DaemonSet": true, "apps/ReplicaSet": true, "batch/Job": true}

func isWorkload(r object.Ref) bool { return kinds[r.Group+"/"+r.Kind] }

// UnknownError says no workload of the environment has the name asked for.
type UnknownError struct {
	Name, Environment string
	// Known are the names of the environment's workloads.
	Known []string
}

func (e *UnknownError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("no workload %q in %s: kship manages no workload there (deploy it first)", e.Name, e.Environment)
	}
	return fmt.Sprintf("no workload %q in %s: its workloads are %s; give one of them", e.Name, e.Environment, strings.Join(e.Known, ", "))
}

// Find returns env's workloads among members named name ("" for all of
// them): a name, or KIND/NAME (case-insensitive kind, e.g. deployment/api)
// when two kinds share the name. Each is read for its selector.
func Find(ctx context.Context, cs kubernetes.Interface, env string, members []inventory.Member, name string) ([]Workload, error) {
	var all []object.Ref
	for _, m := range members {
		if isWorkload(m.Ref) {
			all = append(all, m.Ref)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].String() < all[j].String() })
	picked := all
	if name != "" {
		picked = nil
		for _, r := range all {
			if r.Name == name || strings.EqualFold(r.Kind+"/"+r.Name, name) {
				picked = append(picked, r)
			}
		}
	}
	if len(picked) == 0 && name != "" {
		e := &UnknownError{Name: name, Environment: env}
		for _, r := range all {
			e.Known = append(e.Known, r.Kind+"/"+r.Name)
		}
		return nil, e
	}
	out := make([]Workload, 0, len(picked))
	for _, r := range picked {
		sel, err := selectorOf(ctx, cs, r)
		if err != nil {
			return nil, fmt.Errorf("%s: reading its pod selector: %w", r, err)
		}
		out = append(out, Workload{Ref: r, Selector: sel})
	}
	return out, nil
}

func selectorOf(ctx context.Context, cs kubernetes.Interface, r object.Ref) (labels.Selector, error) {
	var ls *metav1.LabelSelector
	get := metav1.GetOptions{}
	switch r.Group + "/" + r.Kind {
	case "apps/Deployment":
		o, err := cs.AppsV1().Deployments(r.Namespace).Get(ctx, r.Name, get)
		if err != nil {
			return nil, err
		}
		ls = o.Spec.Selector
	case "apps/StatefulSet":
		o, err := cs.AppsV1().StatefulSets(r.Namespace).Get(ctx, r.Name, get)
		if err != nil {
			return nil, err
		}
		ls = o.Spec.Selector
	case "apps/DaemonSet":
		o, err := cs.AppsV1().DaemonSets(r.Namespace).Get(ctx, r.Name, get)
		if err != nil {
			return nil, err
		}
		ls = o.Spec.Selector
	case "apps/ReplicaSet":
		o, err := cs.AppsV1().ReplicaSets(r.Namespace).Get(ctx, r.Name, get)
		if err != nil {
			return nil, err
		}
		ls = o.Spec.Selector
	case "batch/Job":
		o, err := cs.BatchV1().Jobs(r.Namespace).Get(ctx, r.Name, get)
		if err != nil {
			return nil, err
		}
		ls = o.Spec.Selector
	}
	if ls == nil {
		return labels.Nothing(), nil
	}
	return metav1.LabelSelectorAsSelector(ls)
}

// Matches reports whether pod belongs to one of ws.
func Matches(ws []Workload, pod *corev1.Pod) bool {
	for _, w := range ws {
		if w.Ref.Namespace == pod.Namespace && w.Selector.Matches(labels.Set(pod.Labels)) {
			return true
		}
	}
	return false
}

// Namespaces returns the namespaces ws are in, sorted.
func Namespaces(ws []Workload) []string {
	set := map[string]bool{}
	for _, w := range ws {
		set[w.Ref.Namespace] = true
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

// Pods lists the pods of ws, sorted by namespace and name.
func Pods(ctx context.Context, cs kubernetes.Interface, ws []Workload) ([]corev1.Pod, error) {
	var out []corev1.Pod
	for _, ns := range Namespaces(ws) {
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("listing pods in %s: %w", ns, err)
		}
		for i := range list.Items {
			if Matches(ws, &list.Items[i]) {
				out = append(out, list.Items[i])
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Namespace+"/"+out[i].Name < out[j].Namespace+"/"+out[j].Name
	})
	return out, nil
}
