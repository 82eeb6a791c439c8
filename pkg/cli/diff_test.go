package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/internal/golden"
	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/object"
)

// The Secret values the diff tests use; no output may show them, plain or
// base64-encoded, unless --show-secrets is given.
const (
	diffOldPassword = "s3cret-Old-pw"
	diffNewPassword = "n3w-Secret-pw"
)

// diffSecretTree adds to the app tree in dir an overlay with a Secret and
// points kship.yaml's environment "test" at it; it returns kship.yaml's path.
func diffSecretTree(t *testing.T, a app, dir, context, ns, password string) string {
	t.Helper()
	a.write(t, dir, context, ns)
	writeFile(t, dir, "withsecret/kustomization.yaml", "namespace: "+ns+"\nresources: [../app, secret.yaml]\n")
	writeFile(t, dir, "withsecret/secret.yaml", fmt.Sprintf(
		"apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: Opaque\ndata: {password: %s}\n",
		base64.StdEncoding.EncodeToString([]byte(password))))
	return writeFile(t, dir, "kship.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: withsecret\n    context: %s\n    namespace: %s\n", context, ns))
}

// diffJSON runs kship with args and -o json and decodes the report.
func diffJSON(t *testing.T, args ...string) (result, diff.Report) {
	t.Helper()
	r := run(t, append(args, "-o", "json")...)
	var rep diff.Report
	if r.code < 2 {
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("-o json: %v\n%s", err, r.stdout)
		}
	}
	return r, rep
}

// wantCode fails the test, showing the output, unless r exited with code.
func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

// changeList is "TITLE ACTION" for every change of every environment.
func changeList(rep diff.Report) []string {
	var out []string
	for _, p := range rep.Plans {
		for _, c := range p.Changes {
			out = append(out, c.Title()+" "+string(c.Action))
		}
	}
	return out
}

// mustNotLeak fails when out shows a Secret value, plain or base64-encoded.
func mustNotLeak(t *testing.T, where, out string) {
	t.Helper()
	for _, v := range []string{diffOldPassword, diffNewPassword} {
		for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v))} {
			if strings.Contains(out, form) {
				t.Errorf("%s shows the Secret value %q", where, form)
			}
		}
	}
}

func TestDiffLive(t *testing.T) {
	c := testcluster.Require(t)
	t.Setenv("CI", "") // --show-secrets below is the laptop case
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := diffSecretTree(t, app{}, dir, c.Context(), ns, diffOldPassword)
	mustCode(t, deployEnv(t, c, cfg), 0)
	args := []string{"--config", cfg, "diff", "test", "--kubeconfig", c.Kubeconfig()}

	// Nothing changed: nothing to show, exit 0.
	before := versions(t, c, ns)
	for _, format := range []string{"text", "markdown", "json"} {
		r := run(t, append(args, "-o", format)...)
		if r.code != 0 {
			t.Fatalf("-o %s with no change: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", format, r.code, r.stdout, r.stderr)
		}
	}
	r := run(t, args...)
	mustContain(t, "stdout", r.stdout, "test: no changes, 5 unchanged")

	// A new image tag, ConfigMap literal and password.
	diffSecretTree(t, app{Tag: "v2", Env: "changed"}, dir, c.Context(), ns, diffNewPassword)
	r, rep := diffJSON(t, args...)
	wantCode(t, r, 1)
	cmPrefix := "ConfigMap/" + ns + "/api-config-"
	var got []string
	for _, ch := range changeList(rep) {
		if strings.HasPrefix(ch, cmPrefix) && strings.Contains(ch, " → api-config-") {
			ch = "ConfigMap renamed " + ch[strings.LastIndex(ch, " ")+1:]
		}
		got = append(got, ch)
	}
	want := []string{
		"ConfigMap renamed renamed",
		"Secret/" + ns + "/db changed",
		"Deployment/" + ns + "/api changed",
		"Job/" + ns + "/migrate recreated",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	for _, ch := range rep.Plans[0].Changes {
		if ch.Ref.Kind != "Deployment" {
			continue
		}
		// The image and the ConfigMap's new name, nothing else.
		if ch.Added != 2 || ch.Removed != 2 {
			t.Errorf("Deployment diff: +%d -%d, want +2 -2:\n%s", ch.Added, ch.Removed, ch.Diff)
		}
		mustContain(t, "Deployment diff", ch.Diff, "-        image: registry.example/api:v1\n", "+        image: registry.example/api:v2\n")
	}

	// Secret values masked in every format; a changed one says so.
	for _, format := range []string{"text", "markdown", "json"} {
		r := run(t, append(args, "-o", format)...)
		wantCode(t, r, 1)
		mustNotLeak(t, "-o "+format, r.stdout+r.stderr)
		mustContain(t, "-o "+format, r.stdout, "*** (13 bytes)", "*** (13 bytes, changed)")
	}
	r = run(t, append(args, "--show-secrets=force")...) // stdout is not a terminal here
	wantCode(t, r, 1)
	mustContain(t, "--show-secrets", r.stdout, base64.StdEncoding.EncodeToString([]byte(diffNewPassword)))

	// The Job leaves the build: a deploy would prune it, unless --prune=false.
	diffSecretTree(t, app{Tag: "v2", Env: "changed", NoJob: true}, dir, c.Context(), ns, diffNewPassword)
	r, rep = diffJSON(t, args...)
	wantCode(t, r, 1)
	if d := cmp.Diff([]object.Ref{{Group: "batch", Kind: "Job", Namespace: ns, Name: "migrate"}}, rep.Plans[0].Prune); d != "" {
		t.Errorf("prune (-want +got):\n%s", d)
	}
	r = run(t, args...)
	mustContain(t, "stdout", r.stdout, "a deploy would delete (prune):\n#   Job/"+ns+"/migrate\n", ", 1 to prune,")
	r, rep = diffJSON(t, append(args, "--prune=false")...)
	wantCode(t, r, 1)
	if len(rep.Plans[0].Prune) != 0 {
		t.Errorf("--prune=false: prune = %v, want none", rep.Plans[0].Prune)
	}

	if diff := cmp.Diff(before, versions(t, c, ns)); diff != "" {
		t.Errorf("kship diff wrote to the cluster (-before +after):\n%s", diff)
	}
}

func TestDiffLiveErrors(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := diffSecretTree(t, app{NoJob: true}, dir, c.Context(), ns, diffOldPassword)
	writeFile(t, dir, "broken/kustomization.yaml", "resources: [missing.yaml]\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"created objects are listed", []string{"test"}, 1, ""},
		{"wrong context", []string{"test", "--context", "elsewhere"}, 4, "refusing"},
		{"build fails", []string{filepath.Join(dir, "broken"), "--context", c.Context()}, 3, "missing.yaml"},
		{"unknown environment", []string{"nope"}, 2, `unknown environment "nope"`},
		{"--all without --base", []string{"test", "--all"}, 2, "--all needs --base"},
		{"bad output", []string{"test", "-o", "yaml"}, 2, "--output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, append([]string{"--config", cfg, "diff", "--kubeconfig", c.Kubeconfig()}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want it to contain %q", r.code, tt.code, r.stderr, tt.stderr)
			}
			if tt.code == 1 {
				// Nothing deployed yet: every object is created, in full.
				mustContain(t, "stdout", r.stdout, "# Deployment/"+ns+"/api: created", "--- /dev/null", "+kind: Deployment", "test: 4 created, 0 unchanged")
				mustNotLeak(t, "stdout", r.stdout)
			}
		})
	}
}

func TestDiffLiveConflict(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{NoJob: true}.write(t, t.TempDir(), c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	handEditReplicas(t, c, ns)
	args := []string{"--config", cfg, "diff", "test", "--kubeconfig", c.Kubeconfig()}

	// The conflict is an error that says what to do; the other objects are
	// still diffed.
	r := run(t, args...)
	wantCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "Deployment/"+ns+"/api: apply failed", `"hand-edit"`, "--force-conflicts")
	mustContain(t, "stdout", r.stdout, "# incomplete: objects the dry run refused are left out", "test: no changes, 2 unchanged")

	r = run(t, append(args, "--force-conflicts")...)
	wantCode(t, r, 1)
	mustContain(t, "stdout", r.stdout, "# Deployment/"+ns+"/api: changed (+1 -1)", "-  replicas: 3\n", "+  replicas: 2\n")
}

// gitRepo runs git in dir, with a fixed identity and dates so that commit
// names, and so the golden files, do not change from run to run.
func gitRepo(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=kship", "-c", "user.email=kship@example.com",
		"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// snapshot hashes every file under dir, .git included, with its mode.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = fmt.Sprintf("%v %x", info.Mode(), sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// baseRepo commits the app with a Secret on main, then on branch feature
// commits a new ConfigMap literal, replica count, password and environment
// "qa", and leaves a CPU request changed but uncommitted.
func baseRepo(t *testing.T) (dir, cfg string) {
	t.Helper()
	dir = t.TempDir()
	cfg = diffSecretTree(t, app{}, dir, "stage", "shop", diffOldPassword)
	writeFile(t, dir, "small/kustomization.yaml", "namespace: small\nconfigMapGenerator: [{name: settings, literals: [A=1]}]\n")
	writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: withsecret, context: stage, namespace: shop}\n  gone: {overlay: small, context: gone}\n")
	gitRepo(t, dir, "init", "-q")
	gitRepo(t, dir, "add", "-A")
	gitRepo(t, dir, "commit", "-q", "-m", "base")
	gitRepo(t, dir, "checkout", "-q", "-b", "feature")
	diffSecretTree(t, app{Env: "changed", Replicas: 3}, dir, "stage", "shop", diffNewPassword)
	writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: withsecret, context: stage, namespace: shop}\n  qa: {overlay: small, context: qa}\n")
	gitRepo(t, dir, "commit", "-q", "-a", "-m", "change")
	diffSecretTree(t, app{Env: "changed", Replicas: 3, CPU: "20m"}, dir, "stage", "shop", diffNewPassword)
	writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: withsecret, context: stage, namespace: shop}\n  qa: {overlay: small, context: qa}\n")
	return dir, cfg
}

func TestDiffBase(t *testing.T) {
	t.Setenv("CI", "")
	dir, cfg := baseRepo(t)
	before := snapshot(t, dir)

	r, rep := diffJSON(t, "--config", cfg, "diff", "test", "--base", "main")
	wantCode(t, r, 1)
	want := []string{
		"ConfigMap/shop/api-config-kg7t728m5k → api-config-6t9ghmh8g9 renamed",
		"Secret/shop/db changed",
		"Deployment/shop/api changed",
		"Job/shop/migrate changed",
	}
	if d := cmp.Diff(want, changeList(rep)); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	for _, ch := range rep.Plans[0].Changes {
		if ch.Ref.Kind == "Deployment" {
			// The committed replica count and ConfigMap name, and the uncommitted CPU request.
			mustContain(t, "Deployment diff", ch.Diff, "-  replicas: 2\n", "+  replicas: 3\n", "-            cpu: 10m\n", "+            cpu: 20m\n")
		}
	}

	r = run(t, "--config", cfg, "diff", "--all", "--base", "main", "-o", "markdown")
	wantCode(t, r, 1)
	golden.Assert(t, "testdata/diff-base-markdown.golden", []byte(r.stdout))
	for _, format := range []string{"text", "markdown", "json"} {
		r := run(t, "--config", cfg, "diff", "--all", "--base", "main", "-o", format)
		wantCode(t, r, 1)
		mustNotLeak(t, "-o "+format, r.stdout+r.stderr)
		mustContain(t, "-o "+format, r.stdout, "*** (13 bytes, changed)", "environment added", "environment removed")
	}
	if d := cmp.Diff(before, snapshot(t, dir)); d != "" {
		t.Errorf("kship diff --base changed the work tree or the repository (-before +after):\n%s", d)
	}

	// The same tree at both sides: no changes.
	gitRepo(t, dir, "commit", "-q", "-a", "-m", "uncommitted too")
	r = run(t, "--config", cfg, "diff", "test", "--base", "feature")
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "test: no changes, 5 unchanged")
}

func TestDiffShowSecretsRule(t *testing.T) {
	_, cfg := baseRepo(t)
	plain := base64.StdEncoding.EncodeToString([]byte(diffNewPassword))
	tests := []struct {
		name   string
		ci     string
		tty    bool // stdout is a terminal
		args   []string
		code   int
		shows  bool
		stderr string
	}{
		{name: "masked by default", args: nil, code: 1},
		{name: "shown at a terminal", tty: true, args: []string{"--show-secrets"}, code: 1, shows: true},
		{name: "flag before the environment", tty: true, args: []string{"--show-secrets", "-o", "json"}, code: 1, shows: true},
		{name: "refused to a file or a pipe", args: []string{"--show-secrets"}, code: 2, stderr: "--show-secrets is refused: standard output is not a terminal"},
		{name: "refused under CI", ci: "true", tty: true, args: []string{"--show-secrets"}, code: 2, stderr: "refused under CI"},
		{name: "refused for markdown", tty: true, args: []string{"--show-secrets", "-o", "markdown"}, code: 2, stderr: "refused with -o markdown"},
		{name: "forced to a pipe", args: []string{"--show-secrets=force"}, code: 1, shows: true},
		{name: "forced under CI", ci: "true", args: []string{"--show-secrets=force"}, code: 1, shows: true},
		{name: "forced for markdown", args: []string{"--show-secrets=force", "-o", "markdown"}, code: 1, shows: true},
		{name: "explicitly off under CI", ci: "true", args: []string{"--show-secrets=false"}, code: 1},
		{name: "bad value", args: []string{"--show-secrets=maybe"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			args := append([]string{"--config", cfg, "diff"}, tt.args...)
			args = append(args, "test", "--base", "main")
			var r result
			if tt.tty {
				r = runAtTerminal(t, args...)
			} else {
				r = run(t, args...)
			}
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want it to contain %q", r.code, tt.code, r.stderr, tt.stderr)
			}
			if shows := strings.Contains(r.stdout, plain); shows != tt.shows {
				t.Errorf("shows the Secret value: %v, want %v", shows, tt.shows)
			}
			if !tt.shows {
				mustNotLeak(t, "output", r.stdout+r.stderr)
			}
		})
	}
}

func TestDiffBaseErrors(t *testing.T) {
	dir, cfg := baseRepo(t)
	writeFile(t, dir, "withsecret/kustomization.yaml", "resources: [missing.yaml]\n")
	noRepo := t.TempDir()
	noRepoCfg := writeFile(t, noRepo, "kship.yaml", "environments:\n  test: {overlay: app, context: c}\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown ref", []string{"--config", cfg, "diff", "test", "--base", "nope"}, 2, `git ref "nope": no such commit`},
		{"not a repository", []string{"--config", noRepoCfg, "diff", "test", "--base", "main"}, 2, "--base needs a git repository"},
		{"unknown environment", []string{"--config", cfg, "diff", "nope", "--base", "main"}, 2, `unknown environment "nope"`},
		{"--all and an environment", []string{"--config", cfg, "diff", "test", "--all", "--base", "main"}, 2, "not several"},
		{"working tree does not build", []string{"--config", cfg, "diff", "test", "--base", "main"}, 3, "test in the working tree"},
		{"unmapped branch", []string{"--config", cfg, "diff", "--branch", "feature/x", "--base", "main"}, 0, "deploys to no environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want it to contain %q", r.code, tt.code, r.stderr, tt.stderr)
			}
		})
	}
}
