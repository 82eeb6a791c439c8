package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/golden"
)

type result struct {
	code           int
	stdout, stderr string
	// leaked is what reached os.Stderr behind the CLI's back, when captured.
	leaked string
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	return runWithStdin(t, "", args...)
}

// runWithStdin is run with stdin reading stdin.
func runWithStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"kship"}, args...), strings.NewReader(stdin), &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		code        int
		stdout      []string // substrings
		notStdout   []string
		stderr      string
		emptyStdout bool
	}{
		{name: "environment", args: []string{"build", "stage"}, stdout: []string{"namespace: shop-stage", "image: registry.example/shop/api:1.4.2", "name: api-config-"}},
		{name: "directory with image override after it", args: []string{"build", "../../overlays/prod", "--image", "api=r/api:abc"}, stdout: []string{"image: r/api:abc", "namespace: shop"}, notStdout: []string{"1.4.2"}},
		{name: "image keeps newName with *", args: []string{"build", "--image=api=*:v9", "prod"}, stdout: []string{"image: registry.example/shop/api:v9"}},
		{name: "branch picks the environment", args: []string{"build", "--branch", "develop"}, stdout: []string{"ENV: stage"}},
		{name: "unmapped branch does nothing", args: []string{"build", "--branch", "feature/x"}, emptyStdout: true, stderr: `branch "feature/x" deploys to no environment (prod ← master, main; stage ← develop`},
		{name: "json", args: []string{"build", "stage", "-o", "json"}, stdout: []string{`"kind": "List"`, `"image": "registry.example/shop/api:1.4.2"`}},
		{name: "unknown environment", args: []string{"build", "qa"}, code: 2, emptyStdout: true, stderr: `unknown environment "qa":`},
		{name: "no argument", args: []string{"build"}, code: 2, emptyStdout: true, stderr: "give one environment"},
		{name: "env and branch", args: []string{"build", "stage", "--branch", "develop"}, code: 2, emptyStdout: true, stderr: "not both"},
		{name: "bad image", args: []string{"build", "stage", "--image", "api"}, code: 2, emptyStdout: true, stderr: `--image "api"`},
		{name: "bad output", args: []string{"build", "stage", "-o", "xml"}, code: 2, emptyStdout: true, stderr: `--output "xml"`},
		{name: "unknown flag", args: []string{"build", "stage", "--nope"}, code: 2, emptyStdout: true, stderr: "flag provided but not defined"},
		{name: "bad load restrictor", args: []string{"build", "stage", "--load-restrictor", "x"}, code: 2, emptyStdout: true, stderr: "--load-restrictor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q", s)
				}
			}
			for _, s := range tt.notStdout {
				if strings.Contains(r.stdout, s) {
					t.Errorf("stdout has %q", s)
				}
			}
			if tt.emptyStdout && r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tt.stderr)
			}
		})
	}
}

// TestGlobalFlagAfterCommand runs a kship.yaml that only --config finds, with
// --config where users type it: after the command and its argument.
func TestGlobalFlagAfterCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "overlays/qa/kustomization.yaml", "resources: [cm.yaml]\n")
	writeFile(t, dir, "overlays/qa/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: only-in-qa}\ndata: {k: v}\n")
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  qa: {overlay: overlays/qa, context: c, namespace: qa}\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "after the argument", args: []string{"build", "qa", "--config", cfg}, stdout: "name: only-in-qa"},
		{name: "with =", args: []string{"build", "qa", "--config=" + cfg, "-o", "json"}, stdout: `"name": "only-in-qa"`},
		{name: "before the argument", args: []string{"build", "--config", cfg, "qa"}, stdout: "name: only-in-qa"},
		{name: "a command without arguments", args: []string{"envs", "--config", cfg}, stdout: "qa"},
		{name: "the later one wins", args: []string{"--config", filepath.Join(dir, "none.yaml"), "build", "qa", "--config", cfg}, stdout: "name: only-in-qa"},
		{name: "without its value", args: []string{"build", "qa", "--config"}, code: 2, stderr: "flag needs an argument: -config"},
		{name: "after --, an argument", args: []string{"build", "--", "qa", "--config", cfg}, code: 2, stderr: "give one environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout = %q, want it to contain %q", r.stdout, tt.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tt.stderr)
			}
		})
	}
}

func TestBuildBadInput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "overlays/broken/kustomization.yaml", "resources: [../../base]\n")
	writeFile(t, dir, "overlays/badyaml/kustomization.yaml", "resources: [cm.yaml]\n")
	writeFile(t, dir, "overlays/badyaml/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n")
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  broken: {overlay: overlays/broken, context: c}\n  badyaml: {overlay: overlays/badyaml, context: c}\n  gone: {overlay: overlays/gone, context: c}\n")
	badCfg := writeFile(t, dir, "bad.yaml", "environments:\n  stage:\n    overlay: x\n    contxt: y\n")

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"missing base", []string{"--config", cfg, "build", "broken"}, 3, []string{"overlays/broken", "base"}},
		{"malformed yaml", []string{"--config", cfg, "build", "badyaml"}, 3, []string{"cm.yaml"}},
		{"missing overlay", []string{"--config", cfg, "build", "gone"}, 3, []string{"overlays/gone: directory does not exist"}},
		{"kship.yaml error", []string{"--config", badCfg, "build", "stage"}, 3, []string{"bad.yaml", "field contxt not found"}},
		{"missing config", []string{"--config", filepath.Join(dir, "none.yaml"), "build", "stage"}, 3, []string{"none.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr = %q\nwant it to contain %q", r.stderr, s)
				}
			}
		})
	}
}

func TestEnvs(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, "envs", "-o", format)
			if r.code != 0 {
				t.Fatalf("exit code %d: %s", r.code, r.stderr)
			}
			golden.Assert(t, "testdata/envs-"+format+".golden", []byte(r.stdout))
		})
	}
}
