package config

import "fmt"

// Validation configures `kship validate` and the validation `kship deploy`
// runs before it writes anything. At the top level of kship.yaml it applies
// to every environment; under an environment it overrides the top level.
type Validation struct {
	// Rules sets rule severities by rule id (see `kship validate --help`):
	// off, warning or error.
	Rules map[string]string `yaml:"rules" json:"rules,omitempty"`
	// FailOn is the least severity that fails validation: error (the
	// default) or warning.
	FailOn string `yaml:"failOn" json:"failOn,omitempty"`
}

// External names objects an environment's workloads may refer to although
// its build does not contain them, because something else creates them
// (another team, a controller, a sealed-secrets operator). Names may be
// path.Match patterns.
type External struct {
	Secrets                []string `yaml:"secrets" json:"secrets,omitempty"`
	ConfigMaps             []string `yaml:"configMaps" json:"configMaps,omitempty"`
	ServiceAccounts        []string `yaml:"serviceAccounts" json:"serviceAccounts,omitempty"`
	PersistentVolumeClaims []string `yaml:"persistentVolumeClaims" json:"persistentVolumeClaims,omitempty"`
}

// RulesFor returns the rule severities that apply to env: the top level's,
// overridden by env's own.
func (c *Config) RulesFor(env *Environment) map[string]string {
	out := map[string]string{}
	for id, s := range c.Validation.Rules {
		out[id] = s
	}
	if env != nil && env.Validation != nil {
		for id, s := range env.Validation.Rules {
			out[id] = s
		}
	}
	return out
}

// FailOnFor returns the failOn setting that applies to env: its own, else
// the top level's; "" when neither sets one.
func (c *Config) FailOnFor(env *Environment) string {
	if env != nil && env.Validation != nil && env.Validation.FailOn != "" {
		return env.Validation.FailOn
	}
	return c.Validation.FailOn
}

// check rejects severities other than off, warning and error. Rule ids are
// checked by the validation itself, which knows them.
func (v *Validation) check() error {
	if v == nil {
		return nil
	}
	switch v.FailOn {
	case "", "error", "warning":
	default:
		return fmt.Errorf("validation.failOn: %q: want error (fail on errors only, the default) or warning (fail on warnings too)", v.FailOn)
	}
	for id, s := range v.Rules {
		switch s {
		case "off", "warning", "error":
		default:
			return fmt.Errorf("validation.rules.%s: severity %q: want off, warning or error", id, s)
		}
	}
	return nil
}
