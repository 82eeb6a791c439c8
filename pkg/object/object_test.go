package object

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func parse(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRefString(t *testing.T) {
	for want, r := range map[string]Ref{
		"Deployment/shop/api":      {Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"},
		"Namespace/shop":           {Kind: "Namespace", Name: "shop"},
		"<no kind>/<no name>":      {},
		"ConfigMap/shop/<no name>": {Kind: "ConfigMap", Namespace: "shop"},
	} {
		if got := r.String(); got != want {
			t.Errorf("%#v: got %q, want %q", r, got, want)
		}
	}
}

func TestRefOfDropsTheVersion(t *testing.T) {
	a := RefOf(parse(t, "{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: api, namespace: shop}}"))
	b := RefOf(parse(t, "{apiVersion: autoscaling/v1, kind: HorizontalPodAutoscaler, metadata: {name: api, namespace: shop}}"))
	if a != b {
		t.Fatalf("one object at two versions has two Refs: %v and %v", a, b)
	}
	if a.Group != "autoscaling" || a.GroupKind().Kind != "HorizontalPodAutoscaler" {
		t.Fatalf("got %#v", a)
	}
}

func TestDefinedKinds(t *testing.T) {
	objs := []*unstructured.Unstructured{
		parse(t, `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Widget, plural: widgets}
  versions:
  - {name: v1, served: true, storage: true}
  - {name: v1alpha1, served: false, storage: false}
  - {name: v2, storage: false}
`),
		parse(t, "{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: broken}, spec: {group: example.com}}"),
		parse(t, "{apiVersion: v1, kind: ConfigMap, metadata: {name: widgets}, spec: {group: example.com, names: {kind: Fake}}}"),
	}
	got := DefinedKinds(objs)
	if len(got) != 1 {
		t.Fatalf("want only Widget (a CRD without a kind and a ConfigMap define nothing), got %v", got)
	}
	d, ok := got[Ref{Group: "example.com", Kind: "Widget"}.GroupKind()]
	if !ok || d.Scope != "Cluster" {
		t.Fatalf("got %#v", got)
	}
	if !d.Serves("v1") || !d.Serves("v2") || d.Serves("v1alpha1") || !d.Serves("") {
		t.Fatalf("served versions: got %v, want v1 and v2 (served unless false)", d.Versions)
	}
	if !IsCRD(objs[0]) || IsCRD(objs[2]) {
		t.Fatal("IsCRD")
	}
}

func TestWithOwnMetadataLeavesTheOriginal(t *testing.T) {
	orig := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "a", "labels": map[string]any{"x": "1"}, "resourceVersion": "7",
			"managedFields": []any{map[string]any{"manager": "kship"}}},
		"data": map[string]any{"k": "v"},
	}}
	want := orig.DeepCopy()
	c := WithOwnMetadata(orig)
	c.SetNamespace("ns")
	c.SetLabels(map[string]string{"y": "2"})
	c.SetAnnotations(map[string]string{"z": "3"})
	c.SetManagedFields(nil)
	c.SetResourceVersion("")
	c.SetName("b")
	c.SetKind("Secret")
	if !equality.Semantic.DeepEqual(orig.Object, want.Object) {
		t.Fatalf("the original changed: %v", orig.Object)
	}
	if c.GetNamespace() != "ns" || c.GetLabels()["y"] != "2" || c.GetName() != "b" || c.GetResourceVersion() != "" || c.GetManagedFields() != nil {
		t.Fatalf("the copy lost its changes: %v", c.Object)
	}
	if d, _, _ := unstructured.NestedString(c.Object, "data", "k"); d != "v" {
		t.Fatalf("the copy lost the data: %v", c.Object)
	}
	if got := WithOwnMetadata(&unstructured.Unstructured{}); got.Object == nil {
		t.Fatal("a copy of an empty object has no map to set fields in")
	}
}
