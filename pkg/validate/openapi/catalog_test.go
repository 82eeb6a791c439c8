package openapi

import (
	"os"
	"path/filepath"
	"testing"
)

// TestShippedSchemasCompile compiles the schema of every kind of every
// shipped version: validate panics on one that does not, so none may.
func TestShippedSchemasCompile(t *testing.T) {
	dirs, err := filepath.Glob("../schemas/v*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no shipped schemas: %v", err)
	}
	for _, dir := range dirs {
		c, err := Open(os.DirFS(dir), ".")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, k := range c.kinds {
			s, err := k.Schema()
			if err != nil {
				t.Errorf("%s: %s %s: %v", dir, k.GroupVersion, k.Kind, err)
				continue
			}
			if s.Properties["metadata"] == nil || s.Properties["metadata"].Name != ObjectMetaName {
				t.Errorf("%s: %s %s: no ObjectMeta metadata", dir, k.GroupVersion, k.Kind)
			}
			n++
		}
		if n < 50 {
			t.Errorf("%s: only %d kinds", dir, n)
		}
		for _, want := range []string{"v1 ConfigMap", "apps/v1 Deployment", "batch/v1 CronJob", "networking.k8s.io/v1 Ingress", "policy/v1 PodDisruptionBudget", "apiextensions.k8s.io/v1 CustomResourceDefinition"} {
			if c.kinds[want] == nil {
				t.Errorf("%s: %s is not in the catalog", dir, want)
			}
		}
		if _, err := c.ObjectMeta(); err != nil {
			t.Errorf("%s: ObjectMeta: %v", dir, err)
		}
	}
}
