package kustomizecli

import (
	"slices"
	"testing"
)

func TestEnviron(t *testing.T) {
	t.Setenv("KUSTOMIZE_ENABLE_MANAGEDBY_LABEL", "on")
	t.Setenv("KUSTOMIZE_PLUGIN_HOME", "/tmp/plugins")
	t.Setenv("KSHIP_PARITY_KEEP", "1")
	env := Environ()
	for _, kv := range env {
		if len(kv) >= 10 && kv[:10] == "KUSTOMIZE_" {
			t.Errorf("Environ() kept %q", kv)
		}
	}
	if !slices.Contains(env, "KSHIP_PARITY_KEEP=1") {
		t.Errorf("Environ() dropped KSHIP_PARITY_KEEP=1")
	}
}
