package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const withValidation = `
validation:
  rules: {policy/readiness-probe: error, policy/image-tag: warning}
environments:
  stage:
    overlay: overlays/stage
    context: stage
  prod:
    overlay: overlays/prod
    context: prod
    production: true
    external:
      secrets: [db-credentials, "tls-*"]
      configMaps: [feature-flags]
      serviceAccounts: [deployer]
      persistentVolumeClaims: [data]
    validation:
      rules: {policy/image-tag: off}
`

func TestParseValidation(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte(withValidation))
	if err != nil {
		t.Fatal(err)
	}
	prod := c.Environments["prod"]
	if prod.Production == nil || !*prod.Production || c.Environments["stage"].Production != nil {
		t.Errorf("production: prod %v, stage %v", prod.Production, c.Environments["stage"].Production)
	}
	want := External{Secrets: []string{"db-credentials", "tls-*"}, ConfigMaps: []string{"feature-flags"}, ServiceAccounts: []string{"deployer"}, PersistentVolumeClaims: []string{"data"}}
	if diff := cmp.Diff(want, prod.External); diff != "" {
		t.Errorf("external (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"policy/readiness-probe": "error", "policy/image-tag": "off"}, c.RulesFor(prod)); diff != "" {
		t.Errorf("prod rules (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"policy/readiness-probe": "error", "policy/image-tag": "warning"}, c.RulesFor(c.Environments["stage"])); diff != "" {
		t.Errorf("stage rules (-want +got):\n%s", diff)
	}
}

func TestParseValidationErrors(t *testing.T) {
	env := "environments:\n  stage:\n    overlay: o\n    context: c\n"
	tests := []struct{ name, yaml, want string }{
		{"bad severity", "validation: {rules: {policy/image-tag: fatal}}\n" + env, `validation.rules.policy/image-tag: severity "fatal": want off, warning or error`},
		{"bad severity in an environment", env + "    validation: {rules: {x: maybe}}\n", `environment "stage": validation.rules.x: severity "maybe"`},
		{"unknown validation field", "validation: {rule: {}}\n" + env, "field rule not found"},
		{"unknown external kind", env + "    external: {deployments: [x]}\n", "field deployments not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("kship.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
