package config

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// revisionSuffix is how the Secrets that keep an environment's saved
// deploys end: kship-ENV-rN-K. An environment whose name ends so would have
// the inventory Secret (kship-ENV) of another's saved revision.
var revisionSuffix = regexp.MustCompile(`-r[0-9]+-[0-9]+$`)

// DerivedNames are the objects kship names after an environment: its
// inventory Secret, a saved revision's Secrets (revision and chunk are
// numbers) and its deploy lock Lease. pkg/inventory and pkg/lock make
// them; they are here so that a name is refused before any of them is.
func DerivedNames(env string) []string {
	return []string{"kship-" + env, "kship-" + env + "-r4294967295-4294967295", "kship-lock-" + env}
}

// checkName refuses environment names that are not valid where kship uses
// them: as a label value (kship.dev/release-of), in the names of the
// objects it derives, and without colliding with another environment's.
func checkName(name string) error {
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		return fmt.Errorf("names must be DNS labels, as kship names objects and labels after them: %s", strings.Join(errs, "; "))
	}
	if revisionSuffix.MatchString(name) {
		return fmt.Errorf("names must not end in -r<number>-<number>: kship keeps the saved deploys of an environment as Secrets named kship-ENV-rN-K, and this name's inventory Secret would be one of them; rename it")
	}
	for _, d := range DerivedNames(name) {
		if errs := validation.IsDNS1123Subdomain(d); len(errs) > 0 {
			return fmt.Errorf("kship would name an object %q after it, which is not valid: %s", d, strings.Join(errs, "; "))
		}
	}
	return nil
}
