package secrets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/getsops/sops/v3/config"
	yaml "go.yaml.in/yaml/v3"
)

// What a plaintext file holds, in Unencrypted.What.
const (
	// SecretManifest is a file with a v1 Secret among its documents.
	SecretManifest = "Secret manifest"
	// GeneratorSource is a file a secretGenerator reads (files: or envs:).
	GeneratorSource = "secretGenerator source"
)

// Unencrypted is a file the build read in plaintext that holds a Secret,
// and that a creation rule of its .sops.yaml says is to be encrypted. It
// holds no value of the file.
type Unencrypted struct {
	// Path is the file, as the build read it.
	Path string
	// What is SecretManifest or GeneratorSource.
	What string
	// Config is the .sops.yaml whose rule matches, the first one found
	// walking up from the file's directory.
	Config string
	// Rule is the index of that rule in the file's creation_rules.
	Rule int
	// PathRegex is the rule's path_regex; empty for a rule without one,
	// which matches every file.
	PathRegex string
}

// Plaintext returns, sorted by path, the Secret manifests and
// secretGenerator sources that Decode was given in plaintext (not
// SOPS-encrypted) although a .sops.yaml creation rule matches their path.
// It is computed when called, from every file Decode has seen, so that a
// kustomization read after its sources counts.
//
// The .sops.yaml is looked for as sops's config package looks for it,
// from the file's directory up, on disk; the rule is the first of its
// creation_rules that matches the path relative to the .sops.yaml, as sops
// picks it. A file that no .sops.yaml covers, or whose .sops.yaml has no
// creation rule that matches, is not reported. The error names the file and
// the .sops.yaml that cannot be read.
func (d *Decryptor) Plaintext() ([]Unencrypted, error) {
	d.mu.Lock()
	var found []Unencrypted
	for p, secret := range d.in.plain {
		switch {
		case d.in.sources[p]:
			found = append(found, Unencrypted{Path: p, What: GeneratorSource})
		case secret:
			found = append(found, Unencrypted{Path: p, What: SecretManifest})
		}
	}
	d.mu.Unlock()
	sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
	var out []Unencrypted
	for _, u := range found {
		ok, err := creationRule(&u)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// creationRule fills in u's Config, Rule and PathRegex, and reports whether
// a creation rule matches u.Path.
func creationRule(u *Unencrypted) (bool, error) {
	abs, err := filepath.Abs(u.Path)
	if err != nil {
		return false, fmt.Errorf("%s: %w", u.Path, err)
	}
	conf, err := config.FindConfigFile(abs)
	if err != nil {
		return false, nil // none: sops's only error here
	}
	// sops decides whether a rule matches.
	c, err := config.LoadCreationRuleForFile(conf, abs, nil)
	if err != nil && strings.Contains(err.Error(), "no matching creation rules found") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: reading the creation rules of %s: %w", u.Path, conf, err)
	}
	if c == nil {
		return false, nil // no creation_rules
	}
	u.Config = conf
	u.Rule, u.PathRegex, err = whichRule(conf, abs)
	if err != nil {
		return false, fmt.Errorf("%s: reading the creation rules of %s: %w", u.Path, conf, err)
	}
	return true, nil
}

// whichRule returns the index and path_regex of the creation rule of conf
// that sops picks for the file at abs. sops's config package returns the
// rule's settings but not which rule it was, so this picks it as
// LoadCreationRuleForFile does, which has already accepted conf: the first
// rule without a path_regex or whose path_regex matches abs relative to
// conf's directory.
func whichRule(conf, abs string) (int, string, error) {
	data, err := os.ReadFile(conf)
	if err != nil {
		return 0, "", err
	}
	var c struct {
		CreationRules []struct {
			PathRegex string `yaml:"path_regex"`
		} `yaml:"creation_rules"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		return 0, "", err
	}
	dir, err := filepath.Abs(filepath.Dir(conf))
	if err != nil {
		return 0, "", err
	}
	rel := strings.TrimPrefix(abs, dir+string(filepath.Separator))
	for i, r := range c.CreationRules {
		if r.PathRegex == "" {
			return i, "", nil
		}
		if ok, _ := regexp.MatchString(r.PathRegex, rel); ok {
			return i, r.PathRegex, nil
		}
	}
	return 0, "", errors.New("no creation rule matches, although sops found one")
}
