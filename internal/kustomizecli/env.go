package kustomizecli

import (
	"os"
	"strings"
)

// Environ returns the current environment without KUSTOMIZE_* variables, for
// running the CLI as a default install behaves. The CLI reads some of them
// (KUSTOMIZE_ENABLE_MANAGEDBY_LABEL=on adds a label to every object) while
// kship's in-process build reads none, so a developer's shell settings must
// not leak into a comparison.
func Environ() []string {
	env := os.Environ()
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "KUSTOMIZE_") {
			out = append(out, kv)
		}
	}
	return out
}
