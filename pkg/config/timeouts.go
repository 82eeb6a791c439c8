package config

import (
	"fmt"
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
	}
	return nil
}

// TimeoutsFor returns the timeouts env's deploys use: the top-level ones,
// and env's own in their place where both name a kind. env may be nil.
func (c *Config) TimeoutsFor(env *Environment) Timeouts {
	out := Timeouts{}
	for k, v := range c.Timeouts {
		out[k] = v
	}
	if env != nil {
		for k, v := range env.Timeouts {
			out[k] = v
		}
	}
	return out
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
