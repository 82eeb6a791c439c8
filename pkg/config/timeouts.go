package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	yaml "go.yaml.in/yaml/v3"
)

// Duration is a Go duration in kship.yaml, such as "10m" or "90s".
type Duration time.Duration

// UnmarshalYAML reads a positive Go duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v <= 0 {
		return fmt.Errorf("line %d: %q is not a duration: write one as 90s, 10m or 1h30m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes it as kship.yaml does ("10m0s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Timeouts bound the wait for the objects of some kinds, within the
// deploy's --timeout: the key is a kind ("Deployment": of any group) or
// group/kind ("cert-manager.io/Certificate"); an object's own
// kship.dev/timeout annotation beats both.
type Timeouts map[string]Duration

func (t Timeouts) check() error {
	for key := range t {
		group, kind, grouped := strings.Cut(key, "/")
		if !grouped {
			group, kind = "", key
		}
		if kind == "" || !unicode.IsUpper([]rune(kind)[0]) || strings.ContainsAny(kind, "/ ") || (grouped && group == "") {
			return fmt.Errorf("timeouts: key %q: want a kind (Deployment) or group/kind (cert-manager.io/Certificate)", key)
		}
		if grouped && (group == "core" || versionLike.MatchString(group)) {
			return fmt.Errorf("timeouts: key %q: give a group (apps, cert-manager.io), not a version, and a core kind without one (Service)", key)
		}
	}
	return nil
}

// versionLike matches an API version where a group is wanted.
var versionLike = regexp.MustCompile(`^v[0-9]+((alpha|beta)[0-9]*)?$`)

// TimeoutFor returns the timeout kship.yaml sets for objects of group and
// kind in env's deploys, and where it is set: env's own timeouts first
// (group/kind, then kind), then the top-level ones. 0 when none is.
func (c *Config) TimeoutFor(env *Environment, group, kind string) (time.Duration, string) {
	if env != nil {
		if d, key := env.Timeouts.For(group, kind); d > 0 {
			return d, fmt.Sprintf("timeouts: %s of environment %s in kship.yaml", key, env.Name)
		}
	}
	if d, key := c.Timeouts.For(group, kind); d > 0 {
		return d, fmt.Sprintf("timeouts: %s in kship.yaml", key)
	}
	return 0, ""
}

// For returns the timeout of an object of group and kind, and its key;
// group/kind beats kind. 0 when none is set.
func (t Timeouts) For(group, kind string) (time.Duration, string) {
	if group != "" {
		if d, ok := t[group+"/"+kind]; ok {
			return time.Duration(d), group + "/" + kind
		}
	}
	if d, ok := t[kind]; ok {
		return time.Duration(d), kind
	}
	return 0, ""
}
