package config

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/util/validation"
)

// fuzzPath is where the fuzzed kship.yaml claims to live: no repository
// there, so the repository is its directory.
const fuzzPath = "/kship-fuzz/repo/kship.yaml"

// FuzzParse feeds Parse arbitrary kship.yaml text. It must never panic,
// and every configuration it accepts must hold what the rest of kship
// relies on.
func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(withValidation))
	f.Add([]byte("allowOverlaysOutsideRepository: true\nlimits: {maxFileSize: 64Mi}\nenvironments:\n  a: {overlay: /x, context: c, branches: ['r/*']}\n"))
	f.Add([]byte("environments:\n  a-r1: {overlay: o, context: c}\n  a: {overlay: ../o, context: c}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(fuzzPath, data)
		if err != nil {
			return
		}
		checkInvariants(t, c)
		again, err := Parse(fuzzPath, data)
		if err != nil {
			t.Fatalf("accepted once, refused the second time: %v", err)
		}
		if d := cmp.Diff(c, again, cmpopts.IgnoreUnexported(Config{})); d != "" {
			t.Fatalf("two parses differ (-first +second):\n%s", d)
		}
	})
}

func checkInvariants(t *testing.T, c *Config) {
	t.Helper()
	if len(c.Environments) == 0 {
		t.Fatal("accepted without environments")
	}
	root := filepath.Dir(fuzzPath)
	owner := map[string]string{}
	for name, env := range c.Environments {
		if env == nil || env.Name != name || env.Context == "" {
			t.Fatalf("environment %q: %+v", name, env)
		}
		if errs := validation.IsValidLabelValue(name); len(errs) > 0 {
			t.Fatalf("environment %q is not a label value: %v", name, errs)
		}
		// DerivedNames matches pkg/inventory's and pkg/lock's naming
		// (TestDerivedNames in pkg/cli holds it to them).
		parent := DerivedNames(name)[0]
		derived := append(DerivedNames(name), fmt.Sprintf("%s-r%d-%d", parent, 1<<31, 99))
		for _, d := range derived {
			if errs := validation.IsDNS1123Subdomain(d); len(errs) > 0 {
				t.Fatalf("environment %q: kship would name an object %q: %v", name, d, errs)
			}
		}
		for other := range c.Environments {
			revisions := regexp.MustCompile("^" + regexp.QuoteMeta(DerivedNames(other)[0]) + "-r[0-9]+-[0-9]+$")
			if revisions.MatchString(parent) {
				t.Fatalf("environment %q's inventory Secret is a saved revision of %q", name, other)
			}
		}
		if !filepath.IsAbs(env.Overlay) || filepath.Clean(env.Overlay) != env.Overlay {
			t.Fatalf("environment %q: overlay %q is not absolute and clean", name, env.Overlay)
		}
		if !c.AllowOverlaysOutsideRepository && !within(root, env.Overlay) {
			t.Fatalf("environment %q: overlay %q outside %s accepted", name, env.Overlay, root)
		}
		for _, b := range env.Branches {
			if _, err := path.Match(b, ""); err != nil {
				t.Fatalf("environment %q: bad branch pattern %q accepted", name, b)
			}
			if prev, ok := owner[b]; ok {
				t.Fatalf("branch %q deploys to %q and %q", b, prev, name)
			}
			owner[b] = name
		}
		for _, v := range []*Validation{&c.Validation, env.Validation} {
			if v == nil {
				continue
			}
			for id, s := range v.Rules {
				if s != "off" && s != "warning" && s != "error" {
					t.Fatalf("rule %s: severity %q accepted", id, s)
				}
			}
		}
	}
	if c.Limits.MaxFileSize < 0 || c.Limits.MaxAliasExpansion < 0 || c.Limits.MaxBuildSize < 0 {
		t.Fatalf("negative limits accepted: %+v", c.Limits)
	}
}
