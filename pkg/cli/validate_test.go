package cli

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/kship/kship/internal/golden"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/validate"
)

// validateApp is a project with mistakes of every family (see its kship.yaml).
const validateApp = "../../testdata/validate/app/kship.yaml"

func TestValidateExitCodes(t *testing.T) {
	crd := writeFile(t, t.TempDir(), "crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, scope: Namespaced, names: {kind: Widget, plural: widgets}, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: string}}}}}}}]}\n")
	widget := writeFile(t, t.TempDir(), "widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "clean environments", args: []string{"validate", "stage", "prod"}, stdout: /* prod: each of its two clusters */ "validated 3 environments, 22 objects against Kubernetes 1.37: ok"},
		{name: "all", args: []string{"validate", "--all", "-o", "json"}, stdout: `"errors": 0`},
		{name: "a directory", args: []string{"validate", "../../examples/crd/overlays/prod"}, stdout: "examples/crd/overlays/prod: 4 objects: ok"},
		{name: "errors", args: []string{"--config", validateApp, "validate", "stage"}, code: exitcode.Build, stdout: "stage: 5 objects: 4 errors, 1 warning", stderr: "validation found 4 errors"},
		{name: "warnings only", args: []string{"validate", "-f", widget}, stdout: "0 errors, 1 warning"},
		{name: "warnings fail with --fail-on warning", args: []string{"validate", "-f", widget, "--fail-on", "warning"}, code: exitcode.Build, stdout: "0 errors, 1 warning", stderr: "validation found 1 warning, and fails on warnings (fail-on warning)"},
		{name: "errors and warnings with --fail-on warning", args: []string{"--config", validateApp, "validate", "stage", "--fail-on", "warning"}, code: exitcode.Build, stderr: "validation found 4 errors and 1 warning, and fails on warnings"},
		{name: "bad --fail-on", args: []string{"validate", "stage", "--fail-on", "notice"}, code: exitcode.Usage, stderr: `--fail-on "notice": want error`},
		{name: "--crds", args: []string{"validate", "-f", widget, "--crds", crd}, code: exitcode.Build, stdout: "spec.size: want string, got integer 3"},
		{name: "unknown environment", args: []string{"validate", "qa"}, code: exitcode.Usage, stderr: `unknown environment "qa"`},
		{name: "no argument", args: []string{"validate"}, code: exitcode.Usage, stderr: "give one environment"},
		{name: "all and an environment", args: []string{"validate", "--all", "stage"}, code: exitcode.Usage, stderr: "not several"},
		{name: "unshipped version", args: []string{"validate", "stage", "--kubernetes-version", "1.20"}, code: exitcode.Usage, stderr: "no schemas for Kubernetes 1.20: kship ships 1.37"},
		{name: "bad output", args: []string{"validate", "stage", "-o", "xml"}, code: exitcode.Usage, stderr: `--output "xml"`},
		{name: "missing --crds file", args: []string{"validate", "stage", "--crds", "nope.yaml"}, code: exitcode.Usage, stderr: "--crds: stat nope.yaml"},
		{name: "unmapped branch", args: []string{"validate", "--branch", "feature/x"}, stderr: "deploys to no environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, r.stderr)
			}
		})
	}
}

func TestValidateUnknownRuleInConfig(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "app/kustomization.yaml", "resources: [cm.yaml]\n")
	writeFile(t, dir, "app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	cfg := writeFile(t, dir, "kship.yaml", "validation: {rules: {policy/nope: off}}\nenvironments:\n  dev: {overlay: app, context: dev}\n")
	r := run(t, "--config", cfg, "validate", "dev")
	if r.code != exitcode.Build || !strings.Contains(r.stderr, `validation.rules: unknown validation rule "policy/nope"`) {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestValidateFailOnInConfig(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "app/kustomization.yaml", "resources: [deploy.yaml]\n")
	// No readinessProbe: a policy/readiness-probe warning.
	writeFile(t, dir, "app/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1.27, resources: {requests: {cpu: 10m, memory: 16Mi}}}]}\n")
	for _, tt := range []struct {
		name, config string
		code         int
		stderr       string
	}{
		{name: "top level", config: "validation: {failOn: warning}\nenvironments:\n  dev: {overlay: app, context: dev}\n", code: exitcode.Build, stderr: "fails on warnings"},
		{name: "the environment overrides the top level", config: "validation: {failOn: warning}\nenvironments:\n  dev: {overlay: app, context: dev, validation: {failOn: error}}\n"},
		{name: "a bad value", config: "validation: {failOn: always}\nenvironments:\n  dev: {overlay: app, context: dev}\n", code: exitcode.Build, stderr: `validation.failOn: "always"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, dir, "kship.yaml", tt.config)
			r := run(t, "--config", cfg, "validate", "dev")
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nstdout:\n%s", r.code, tt.code, r.stderr, r.stdout)
			}
		})
	}
	// The flag wins over kship.yaml.
	cfg := writeFile(t, dir, "kship.yaml", "validation: {failOn: warning}\nenvironments:\n  dev: {overlay: app, context: dev}\n")
	if r := run(t, "--config", cfg, "validate", "dev", "--fail-on", "error"); r.code != 0 {
		t.Errorf("--fail-on error: exit %d; stderr:\n%s", r.code, r.stderr)
	}
	// kship deploy's validation refuses too, before it connects.
	r := run(t, "--config", cfg, "deploy", "dev")
	if r.code != exitcode.Build || !strings.Contains(r.stderr, "validation found 1 warning (fail-on warning); nothing was applied") {
		t.Errorf("deploy: exit %d; stderr:\n%s", r.code, r.stderr)
	}
}

// TestValidateGolden checks the text output of the mistakes project, with
// source files, per-environment rule settings and production rules.
func TestValidateGolden(t *testing.T) {
	r := run(t, "--config", validateApp, "validate", "--all")
	if r.code != exitcode.Build {
		t.Errorf("exit code %d, want %d", r.code, exitcode.Build)
	}
	golden.Assert(t, "../../testdata/validate/cli-text.golden", []byte(r.stdout))
}

// TestValidateNeverPrintsSecrets runs the mistakes project, whose Secrets
// have findings, in every output format and for kship deploy's validation.
func TestValidateNeverPrintsSecrets(t *testing.T) {
	secrets := []string{"gen3rated-s3cret-k3y", base64.StdEncoding.EncodeToString([]byte("gen3rated-s3cret-k3y")), "this-is-n0t-base64!", "pl4intext-c3rt"}
	for _, format := range []string{"text", "json", "junit"} {
		r := run(t, "--config", validateApp, "validate", "--all", "-o", format)
		if r.code != exitcode.Build || !strings.Contains(r.stdout, "not valid base64") {
			t.Fatalf("-o %s: exit %d; the findings on Secret/shop/tls are missing:\n%s", format, r.code, r.stdout)
		}
		for _, s := range secrets {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("-o %s shows the secret value %q:\n%s", format, s, r.stdout)
			}
		}
	}
}

func TestValidateFiles(t *testing.T) {
	built := run(t, "--config", validateApp, "build", "stage")
	if built.code != 0 {
		t.Fatalf("build: %s", built.stderr)
	}
	file := writeFile(t, t.TempDir(), "stage.yaml", built.stdout)
	// With its environment named, the environment's settings apply: the
	// declared external Secret is no finding; without, it is.
	with := run(t, "--config", validateApp, "validate", "stage", "-f", file)
	without := run(t, "--config", validateApp, "validate", "-f", file)
	if !strings.Contains(with.stdout, "stage: 5 objects: 4 errors, 1 warning") {
		t.Errorf("with stage:\n%s", with.stdout)
	}
	if !strings.Contains(without.stdout, `Secret "db-credentials" is not in the build`) {
		t.Errorf("without an environment:\n%s", without.stdout)
	}
	if r := run(t, "validate", "stage", "prod", "-f", file); r.code != exitcode.Usage {
		t.Errorf("two environments with -f: exit %d", r.code)
	}
}

// TestValidateReadsStdin checks that "-" reads the stdin Run is given, for
// -f and for --crds.
func TestValidateReadsStdin(t *testing.T) {
	built := run(t, "--config", validateApp, "build", "stage")
	if built.code != 0 {
		t.Fatalf("build: %s", built.stderr)
	}
	crd := "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, scope: Namespaced, names: {kind: Widget, plural: widgets}, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: string}}}}}}}]}\n"
	widget := writeFile(t, t.TempDir(), "widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n")
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		stdout      string
	}{
		{name: "-f -", stdin: built.stdout, args: []string{"--config", validateApp, "validate", "stage", "-f", "-"}, code: exitcode.Build, stdout: "stage: 5 objects: 4 errors, 1 warning"},
		{name: "--crds -", stdin: crd, args: []string{"validate", "-f", widget, "--crds", "-"}, code: exitcode.Build, stdout: "spec.size: want string, got integer 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runWithStdin(t, tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, r.stdout)
			}
		})
	}
}

func TestValidateRuleHelpListsEveryRule(t *testing.T) {
	r := run(t, "validate", "--help")
	for _, id := range validate.RuleIDs() {
		if !strings.Contains(r.stdout, id) {
			t.Errorf("validate --help does not list %s", id)
		}
	}
}
