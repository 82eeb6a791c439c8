package prune

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// InUse returns the ConfigMaps and Secrets that the ReplicaSets of the
// desired Deployments refer to, with a reason to keep each. The Deployment
// controller keeps revisionHistoryLimit old ReplicaSets for
// `kubectl rollout undo`; their pods need their old configuration.
func InUse(ctx context.Context, client *kube.Client, desired []*unstructured.Unstructured) (map[object.Ref]string, error) {
	out := map[object.Ref]string{}
	rsets := map[string][]appsv1.ReplicaSet{} // by namespace, listed once
	for _, d := range desired {
		if d.GetKind() != "Deployment" || d.GroupVersionKind().Group != "apps" {
			continue
		}
		ns := d.GetNamespace()
		live, err := client.Typed.AppsV1().Deployments(ns).Get(ctx, d.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: reading it to keep what its old ReplicaSets use: %w", object.RefOf(d), err)
		}
		if _, ok := rsets[ns]; !ok {
			list, err := client.Typed.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, fmt.Errorf("listing ReplicaSets in %s: %w", ns, err)
			}
			rsets[ns] = list.Items
		}
		for _, rs := range rsets[ns] {
			owner := metav1.GetControllerOf(&rs)
			if owner == nil || owner.UID != live.UID {
				continue
			}
			why := fmt.Sprintf("used by ReplicaSet %s (revision %s of Deployment %s), kept for rollout undo",
				rs.Name, rs.Annotations["deployment.kubernetes.io/revision"], live.Name)
			for _, r := range refsOf(ns, &rs.Spec.Template.Spec) {
				if _, ok := out[r]; !ok {
					out[r] = why
				}
			}
		}
	}
	return out, nil
}

// refsOf lists the ConfigMaps and Secrets a pod spec mounts or reads.
func refsOf(ns string, spec *corev1.PodSpec) []object.Ref {
	var out []object.Ref
	cm := func(name string) { out = append(out, object.Ref{Kind: "ConfigMap", Namespace: ns, Name: name}) }
	sec := func(name string) { out = append(out, object.Ref{Kind: "Secret", Namespace: ns, Name: name}) }
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil {
			cm(v.ConfigMap.Name)
		}
		if v.Secret != nil {
			sec(v.Secret.SecretName)
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.ConfigMap != nil {
					cm(s.ConfigMap.Name)
				}
				if s.Secret != nil {
					sec(s.Secret.Name)
				}
			}
		}
	}
	containers := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for _, c := range containers {
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil {
				cm(e.ConfigMapRef.Name)
			}
			if e.SecretRef != nil {
				sec(e.SecretRef.Name)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				cm(r.Name)
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				sec(r.Name)
			}
		}
	}
	for _, s := range spec.ImagePullSecrets {
		sec(s.Name)
	}
	return out
}
