package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/lock"
)

// TestDerivedNames holds config.DerivedNames, which refuses environment
// names before kship derives objects from them, to the names pkg/inventory
// and pkg/lock really give those objects.
func TestDerivedNames(t *testing.T) {
	for _, env := range []string{"stage", "prod-eu-1"} {
		got := config.DerivedNames(env)
		want := []string{inventory.ParentName(env), inventory.ParentName(env) + "-r4294967295-4294967295", lock.Name(env)}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-inventory and lock +config):\n%s", env, d)
		}
	}
}
