package cli

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
)

// parsed runs kship with args as a user types them, but stops at the
// command's parse step: what the command would run with, and the error
// that would stop it first. No cluster, nothing read but the flags.
func parsed[C command](t *testing.T, parse func(*ucli.Context) (C, error), args ...string) (C, error) {
	t.Helper()
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	var got C
	var parseErr error
	ran := false
	for _, c := range app.Commands {
		c.Action = func(c *ucli.Context) error {
			ran = true
			got, parseErr = parse(c)
			return parseErr
		}
	}
	err := app.RunContext(context.Background(), interspersed(app, append([]string{"kship"}, args...)))
	if err != nil && !ran {
		return got, err // refused by the flag parser itself
	}
	return got, parseErr
}

func TestDeployFlagsBecomeOptions(t *testing.T) {
	d, err := parsed(t, parseDeploy, "deploy", "stage", "--dry-run", "--config", "ci/kship.yaml",
		"--image", "api=registry.example/api:v2", "--timeout", "2m", "--prune=false", "--concurrency", "3",
		"--lock-timeout", "1m", "--lock-holder", "ci-42", "--validate=false", "-o", "json",
		"--report", "junit=out/kship.xml", "--progress", "json", "--context", "stage-ctx", "--rollback-on-failure")
	if err != nil {
		t.Fatal(err)
	}
	o := d.engine
	switch {
	case !o.DryRun, o.Timeout != 2*time.Minute, o.Prune, o.Concurrency != 3, !o.RollbackOnFailure:
		t.Errorf("deploy options: %+v", o)
	case o.LockWait != time.Minute, o.By != "ci-42", o.LockTTL != engine.DefaultLockTTL:
		t.Errorf("lock options: wait %v, by %q, ttl %v", o.LockWait, o.By, o.LockTTL)
	case len(o.Build.Images) != 1 || o.Build.Images[0].Name != "api":
		t.Errorf("images: %+v", o.Build.Images)
	case o.Cluster.Context != "stage-ctx":
		t.Errorf("cluster: %+v", o.Cluster)
	case d.validate, d.format != formatJSON, d.progress != progressJSON, d.reports["junit"] != "out/kship.xml":
		t.Errorf("command: validate %v, format %q, progress %q, reports %v", d.validate, d.format, d.progress, d.reports)
	case d.sel.config != "ci/kship.yaml" || len(d.sel.args) != 1 || d.sel.args[0] != "stage":
		t.Errorf("selection: %+v (a global flag after the command must still count)", d.sel)
	}
}

func TestDeployDefaults(t *testing.T) {
	d, err := parsed(t, parseDeploy, "deploy", "--branch", "develop")
	if err != nil {
		t.Fatal(err)
	}
	o := d.engine
	if o.DryRun || !o.Prune || o.Concurrency != engine.DefaultConcurrency || o.MaxPruneShare != engine.DefaultMaxPruneShare ||
		o.Timeout != 5*time.Minute || o.LockWait != 5*time.Minute {
		t.Errorf("defaults: %+v", o)
	}
	if !d.validate || d.format != formatText || d.progress != progressAuto || d.sel.branch != "develop" || len(d.sel.args) != 0 {
		t.Errorf("command defaults: %+v", d)
	}
}

func TestRefusedFlagsAreUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"an unknown progress mode":       {"deploy", "stage", "--progress", "fancy"},
		"a format deploy lacks":          {"deploy", "stage", "-o", "markdown"},
		"a report kind that is not":      {"deploy", "stage", "--report", "html=x.html"},
		"an image reference that is not": {"deploy", "stage", "--image", "api=Not A Ref"},
		"a load restrictor":              {"deploy", "stage", "--load-restrictor", "sometimes"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parsed(t, parseDeploy, args...)
			if code := exitcode.Of(err); code != exitcode.Usage {
				t.Fatalf("exit %d (%v), want %d", code, err, exitcode.Usage)
			}
		})
	}
}

func TestDiffFlagsBecomeOptions(t *testing.T) {
	d, err := parsed(t, parseDiff, "diff", "--all", "--base", "origin/main", "--show-secrets=force", "-o", "markdown", "--recreate", "--prune=false")
	if err != nil {
		t.Fatal(err)
	}
	if d.base != "origin/main" || !d.sel.all || d.secrets != secretsForce || d.format != formatMarkdown || !d.recreate || d.prune || d.force {
		t.Errorf("diff: %+v", d)
	}
	plain, err := parsed(t, parseDiff, "diff", "stage", "--show-secrets")
	if err != nil || plain.secrets != "true" || plain.base != "" || !plain.prune {
		t.Errorf("diff stage --show-secrets: %+v, %v", plain, err)
	}
}

func TestValidateAndRollbackFlags(t *testing.T) {
	v, err := parsed(t, parseValidate, "validate", "stage", "prod", "-f", "-", "--crds", "crds/", "-o", "junit", "--allow-unused-image")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.sel.args) != 2 || len(v.files) != 1 || v.files[0] != "-" || v.crds[0] != "crds/" || v.format != formatJUnit || !v.build.AllowUnusedImages {
		t.Errorf("validate: %+v", v)
	}
	r, err := parsed(t, parseRollback, "rollback", "prod", "--to-revision", "3", "--timeout", "90s", "--lock-ttl", "2m", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if r.toRevision != 3 || r.engine.Timeout != 90*time.Second || r.engine.LockTTL != 2*time.Minute || r.format != formatJSON {
		t.Errorf("rollback: %+v", r)
	}
}

func TestRenderRefusesAFormatWithoutRenderer(t *testing.T) {
	var b strings.Builder
	if err := render(&b, formatJUnit, renderers{formatText: func(w io.Writer) error { _, err := io.WriteString(w, "ok"); return err }}); err == nil {
		t.Fatal("rendering junit with only a text renderer succeeded")
	}
	if err := render(&b, formatText, renderers{formatText: func(w io.Writer) error { _, err := io.WriteString(w, "ok"); return err }}); err != nil || b.String() != "ok" {
		t.Fatalf("text: %q, %v", b.String(), err)
	}
}

// TestOtherCommandsFlagsBecomeOptions: build, status, envs, logs, exec,
// delete and init fill their options from the flags once, as typed.
func TestOtherCommandsFlagsBecomeOptions(t *testing.T) {
	b, err := parsed(t, parseBuild, "build", "stage", "--image", "api=registry.example/api:v2", "--enable-helm", "-o", "json", "--no-decrypt")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.build.Images) != 1 || b.build.Images[0].Name != "api" || !b.build.EnableHelm || b.build.HelmCommand != "helm" || b.format != formatJSON || len(b.sel.args) != 1 {
		t.Errorf("build: %+v", b)
	}
	if dec := decryptorOf(b.build); dec == nil || !dec.NoDecrypt() {
		t.Errorf("build --no-decrypt: decoder %T, want a SOPS decryptor that masks", b.build.Decoder)
	}

	st, err := parsed(t, parseStatus, "status", "prod", "--cluster", "blue", "--context", "prod-ctx", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if st.format != formatJSON || st.cluster.Context != "prod-ctx" || len(st.sel.clusters) != 1 || st.sel.clusters[0] != "blue" {
		t.Errorf("status: %+v", st)
	}

	e, err := parsed(t, parseEnvs, "envs", "--config", "ci/kship.yaml", "-o", "json")
	if err != nil || e.format != formatJSON || e.sel.config != "ci/kship.yaml" {
		t.Errorf("envs: %+v, %v", e, err)
	}

	l, err := parsed(t, parseLogs, "logs", "stage", "api", "-c", "talker", "-f", "--since", "10m", "--tail", "5", "--previous")
	if err != nil {
		t.Fatal(err)
	}
	if o := l.logs; o.Container != "talker" || !o.Follow || o.Since != 10*time.Minute || o.Tail != 5 || !o.Previous || len(l.sel.args) != 2 {
		t.Errorf("logs: %+v", l)
	}
	l, err = parsed(t, parseLogs, "logs", "stage")
	if err != nil || l.logs.Tail != -1 || l.logs.Follow {
		t.Errorf("logs defaults: %+v, %v", l, err)
	}

	x, err := parsed(t, parseExec, "exec", "prod", "api", "-c", "api", "--yes", "--", "ls", "-l")
	if err != nil {
		t.Fatal(err)
	}
	if x.container != "api" || !x.yes || strings.Join(x.sel.args, " ") != "prod api -- ls -l" {
		t.Errorf("exec: %+v (the command after -- must be kept, with its flags)", x)
	}

	d, err := parsed(t, parseDelete, "delete", "preview-42", "--dry-run", "--yes", "--timeout", "90s", "--lock-timeout", "20s")
	if err != nil {
		t.Fatal(err)
	}
	if o := d.opts; !o.DryRun || !d.yes || o.Timeout != 90*time.Second || o.LockWait != 20*time.Second || o.LockTTL != engine.DefaultLockTTL {
		t.Errorf("delete: %+v", d)
	}

	i, err := parsed(t, parseInit, "init", "shop", "--name", "shop", "--image", "registry.example/shop:1.0", "--port", "8080", "--migrate", "bin/migrate", "--env", "stage,prod", "--force")
	if err != nil {
		t.Fatal(err)
	}
	if o := i.opts; i.dir != "shop" || !i.force || o.Name != "shop" || o.Image != "registry.example/shop:1.0" || o.Port != 8080 || o.Migrate != "bin/migrate" || strings.Join(o.Environments, ",") != "stage,prod" {
		t.Errorf("init: %+v", i)
	}
}
