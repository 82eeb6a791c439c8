package prune

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/object"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func member(kind, name string, annotations map[string]string) inventory.Member {
	return inventory.Member{Ref: object.Ref{Kind: kind, Namespace: "ns", Name: name}, Annotations: annotations}
}

func desired(kind, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind(kind)
	u.SetNamespace("ns")
	u.SetName(name)
	return u
}

func TestNewPlan(t *testing.T) {
	members := []inventory.Member{
		member("ConfigMap", "cfg-new", nil),
		member("ConfigMap", "cfg-old", nil),
		member("ConfigMap", "cfg-older", nil),
		member("Service", "gone", nil),
		member("Service", "keep-me", map[string]string{Annotation: Disabled}),
	}
	used := map[object.Ref]string{{Kind: "ConfigMap", Namespace: "ns", Name: "cfg-old"}: "used by ReplicaSet api-1"}
	p := NewPlan(members, []*unstructured.Unstructured{desired("ConfigMap", "cfg-new")}, used)
	var del []string
	for _, r := range p.Refs() {
		del = append(del, r.String())
	}
	if diff := cmp.Diff([]string{"ConfigMap/ns/cfg-older", "Service/ns/gone"}, del); diff != "" {
		t.Errorf("delete (-want +got):\n%s", diff)
	}
	want := []Kept{
		{Ref: object.Ref{Kind: "ConfigMap", Namespace: "ns", Name: "cfg-old"}, Reason: "used by ReplicaSet api-1"},
		{Ref: object.Ref{Kind: "Service", Namespace: "ns", Name: "keep-me"}, Reason: "kship.dev/prune: disabled"},
	}
	if diff := cmp.Diff(want, p.Kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	plan := func(del, members int) *Plan {
		return &Plan{Delete: make([]inventory.Member, del), Members: members}
	}
	tests := []struct {
		name      string
		plan      *Plan
		allow     bool
		wantError bool
	}{
		{"nothing", plan(0, 10), false, false},
		{"a few", plan(2, 10), false, false},
		{"half is allowed", plan(5, 10), false, false},
		{"more than half", plan(6, 10), false, true},
		{"everything", plan(1, 1), false, true},
		{"everything, allowed", plan(10, 10), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.plan.Check(DefaultMaxShare, tt.allow)
			if (err != nil) != tt.wantError {
				t.Fatalf("Check = %v, want error %v", err, tt.wantError)
			}
			if err != nil && !strings.Contains(err.Error(), "--allow-mass-prune") {
				t.Errorf("the error must say how to go ahead: %v", err)
			}
		})
	}
}

func TestRefsOf(t *testing.T) {
	spec := &corev1.PodSpec{
		Volumes: []corev1.Volume{
			{VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "vol-cm"}}}},
			{VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "vol-sec"}}},
		},
		Containers: []corev1.Container{{
			EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "env-cm"}}}},
			Env:     []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "key-sec"}, Key: "k"}}}},
		}},
	}
	var got []string
	for _, r := range refsOf("ns", spec) {
		got = append(got, r.String())
	}
	want := []string{"ConfigMap/ns/vol-cm", "Secret/ns/vol-sec", "ConfigMap/ns/env-cm", "Secret/ns/key-sec"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
