package secrets_test

import (
	"testing"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/kship/kship/internal/sopstest"
	"github.com/kship/kship/pkg/secrets"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestHolds(t *testing.T) {
	id := sopstest.NewKey(t)
	sopstest.UseKey(t, id)
	d := secrets.New(secrets.Options{})
	if _, err := d.Decode("db.env", sopstest.Encrypt(t, []byte("PASSWORD="+sentinel+"\n"), formats.Dotenv, sopstest.Options{}, id.Recipient().String())); err != nil {
		t.Fatal(err)
	}
	cm := func(kind, field, v string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": "x"}, field: map[string]any{"k": v}}}
	}
	tests := []struct {
		name string
		obj  *unstructured.Unstructured
		want bool
	}{
		{"ConfigMap from the encrypted env", cm("ConfigMap", "data", sentinel), true},
		{"ConfigMap binaryData", cm("ConfigMap", "binaryData", "czNudGluZWwtUGE1NXcwcmQtenE="), true},
		{"masked value", cm("ConfigMap", "data", secrets.Placeholder), true},
		{"plain ConfigMap", cm("ConfigMap", "data", "info"), false},
		{"not a ConfigMap", cm("Service", "data", sentinel), false},
	}
	for _, tt := range tests {
		if got := d.Holds(tt.obj); got != tt.want {
			t.Errorf("%s: Holds = %v, want %v", tt.name, got, tt.want)
		}
	}
}
