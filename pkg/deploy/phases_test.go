package deploy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(apiVersion, kind, name string, annotations map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetName(name)
	u.SetAnnotations(annotations)
	return u
}

func TestPhases(t *testing.T) {
	pre := map[string]string{PhaseAnnotation: PreDeploy}
	post := map[string]string{PhaseAnnotation: PostDeploy}
	objs := []*unstructured.Unstructured{
		obj("batch/v1", "Job", "smoke", post),
		obj("apps/v1", "Deployment", "api", nil),
		obj("batch/v1", "Job", "migrate", pre),
		obj("v1", "ConfigMap", "cfg", nil),
		obj("v1", "Namespace", "shop", nil),
		obj("batch/v1", "Job", "report", nil),
		obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", nil),
		obj("example.com/v1", "Widget", "w", nil),
		obj("rbac.authorization.k8s.io/v1", "RoleBinding", "rb", nil),
		obj("v1", "Service", "api", nil),
		obj("policy/v1", "PodDisruptionBudget", "api", nil),
	}
	got := map[string][]string{}
	var order []string
	for _, p := range Phases(objs) {
		order = append(order, p.Name)
		for _, o := range p.Objects {
			got[p.Name] = append(got[p.Name], o.GetKind()+"/"+o.GetName())
		}
	}
	want := map[string][]string{
		PhaseNamespaces: {"Namespace/shop", "CustomResourceDefinition/widgets.example.com"},
		PhaseConfig:     {"ConfigMap/cfg", "RoleBinding/rb", "Service/api"},
		PhasePreDeploy:  {"Job/migrate"},
		PhaseWorkloads:  {"Deployment/api", "Job/report", "Widget/w", "PodDisruptionBudget/api"},
		PhasePostDeploy: {"Job/smoke"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{PhaseNamespaces, PhaseConfig, PhasePreDeploy, PhaseWorkloads, PhasePostDeploy}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if Rank(objs[0].GroupVersionKind().GroupKind(), post) <= Rank(objs[1].GroupVersionKind().GroupKind(), nil) {
		t.Error("a post-deploy Job does not rank after the workloads: a delete would remove it after what it tests")
	}
	if !IsHook(objs[0]) || !IsHook(objs[2]) || IsHook(objs[1]) {
		t.Error("IsHook: want the pre- and post-deploy Jobs only")
	}
}

func TestPhasesSkipsEmpty(t *testing.T) {
	ps := Phases([]*unstructured.Unstructured{obj("apps/v1", "Deployment", "api", nil)})
	if len(ps) != 1 || ps[0].Name != PhaseWorkloads {
		t.Fatalf("Phases = %+v, want only %s", ps, PhaseWorkloads)
	}
}

func TestWaitsInPhase(t *testing.T) {
	pvc := obj("v1", "PersistentVolumeClaim", "data", nil)
	if waitsInPhase(PhaseConfig, pvc) {
		t.Error("a PVC must not block the config phase: WaitForFirstConsumer storage binds only when a pod uses it")
	}
	if !waitsInPhase(PhaseConfig, obj("v1", "ConfigMap", "c", nil)) {
		t.Error("a ConfigMap is waited for in the config phase")
	}
}
