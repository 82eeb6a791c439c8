package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func diffCommand() *ucli.Command {
	flags := append(buildFlags(), clusterFlags()...)
	flags = append(flags,
		&ucli.StringFlag{Name: "base", Usage: "offline: diff the build at the merge base of `REF` and HEAD with the working tree's; no cluster needed (--kubeconfig and --context are ignored)"},
		&ucli.BoolFlag{Name: "all", Usage: "with --base: every environment of kship.yaml, at either side"},
		showSecretsFlag(),
		&ucli.BoolFlag{Name: "force-conflicts", Usage: "show what a deploy with --force-conflicts would do"},
		&ucli.BoolFlag{Name: "recreate", Usage: "show what a deploy with --recreate would do (Jobs always are)"},
		&ucli.BoolFlag{Name: "prune", Value: true, Usage: "list the objects a deploy would prune (--prune=false, as for deploy, leaves them out)"},
		outputFlag(formatText, formatMarkdown, formatJSON),
		noDecryptFlag,
	)
	return &ucli.Command{
		Name:      "diff",
		Usage:     "show what a deploy would change, object by object (or what a branch changes, offline)",
		ArgsUsage: "ENV|DIR",
		Description: `Builds ENV, server-side dry-runs it against the environment's cluster (the
same context guard as deploy applies) and prints a unified diff per object
between the live object and the dry-run result. Server-owned fields
(managedFields, status, resourceVersion, ...) are left out; Secret values are
masked. A generated ConfigMap or Secret whose hash suffix changed shows as one
renamed object.

With --base REF it needs no cluster: it builds the tree at
git merge-base REF HEAD (read from git, the work tree untouched) and the
working tree, and diffs the two builds; --all does every environment.

--show-secrets shows Secret values, at a terminal only: it is refused when
standard output is not a terminal (a file, a pipe), under CI (CI set and
not false/0) and with -o markdown, whose output outlives the run in files,
logs and pull-request comments, unless given as --show-secrets=force.

Exit codes: 0 no changes; 1 changes; 2 usage; 3 build failed; 4 cluster error
or wrong cluster.

Examples:
   kship diff stage
   kship diff prod --image api=registry.example/api:$CIRCLE_SHA1
   kship diff --all --base origin/main -o markdown > diff.md`,
		Flags:  flags,
		Action: action(parseDiff),
	}
}

// diffCmd is `kship diff`.
type diffCmd struct {
	sel     selection
	build   build.Options
	cluster engine.Cluster
	// base is --base REF: an offline diff against the merge base.
	base                   string
	secrets                secretsMode
	force, recreate, prune bool
	format                 format
}

func parseDiff(c *ucli.Context) (*diffCmd, error) {
	d := &diffCmd{sel: selectionOf(c), cluster: clusterOf(c), base: c.String("base"),
		force: c.Bool("force-conflicts"), recreate: c.Bool("recreate"), prune: c.Bool("prune"), format: formatOf(c)}
	if m, ok := c.Generic("show-secrets").(*secretsMode); ok && m != nil {
		d.secrets = *m
	}
	var err error
	d.build, err = buildOptionsOf(c)
	return d, err
}

func (d *diffCmd) run(ctx context.Context, s streams) error {
	show, err := d.showSecrets(s.out)
	if err != nil {
		return err
	}
	var rep *diff.Report
	switch {
	case d.base != "":
		rep, err = d.baseDiff(ctx, show)
	case d.sel.all:
		return usagef("--all needs --base REF: a live diff compares one environment with its own cluster")
	default:
		rep, err = d.liveDiff(ctx, show)
	}
	if rep != nil {
		if werr := d.write(s.out, rep); werr != nil && err == nil {
			err = fmt.Errorf("writing the diff: %w", werr)
		}
		noteNoDecrypt(s.err, d.build)
	}
	if err != nil {
		return diffError(ctx, err)
	}
	if rep == nil || !rep.HasChanges() {
		return nil
	}
	var sums []string
	for _, p := range rep.Plans {
		sums = append(sums, p.Env+": "+p.Summary())
	}
	return exitcode.Wrap(exitcode.Changes, fmt.Errorf("changes found (%s)", strings.Join(sums, "; ")))
}

// diffError makes sure no error exits with 1, which says "changes": an
// interrupted diff exits as deploy does (130/143), any other error without
// a code of its own with 4.
func diffError(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return exitcode.Wrap(interruptCode(ctx), err)
	case exitcode.Of(err) == exitcode.Changes:
		return exitcode.Wrap(exitcode.Apply, err)
	}
	return err
}

func (d *diffCmd) write(w io.Writer, rep *diff.Report) error {
	color := isTerminal(w) && os.Getenv("NO_COLOR") == ""
	return render(w, d.format, renderers{
		formatJSON:     func(w io.Writer) error { return diff.JSON(w, rep) },
		formatMarkdown: func(w io.Writer) error { return diff.Markdown(w, rep) },
		formatText:     func(w io.Writer) error { return diff.Text(w, rep, diff.TextOptions{Color: color}) },
	})
}

// showSecrets decides whether Secret values may be shown. Plain
// --show-secrets is for a person at a terminal: when standard output is a
// file, a pipe or a CI log (CI set, and not "false" or "0"), or with -o
// markdown, the output outlives the run and more people read it than
// should, so there it takes --show-secrets=force.
func (d *diffCmd) showSecrets(stdout io.Writer) (bool, error) {
	switch d.secrets {
	case "":
		return false, nil
	case secretsForce:
		return true, nil
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		return false, usagef("--show-secrets is refused under CI (CI=%s): build logs keep Secret values and more people read them than should; use --show-secrets=force if you mean it", ci)
	}
	if d.format == formatMarkdown {
		return false, usagef("--show-secrets is refused with -o markdown, which is meant for pull-request comments; use --show-secrets=force if you mean it")
	}
	if !isTerminal(stdout) {
		return false, usagef("--show-secrets is refused: standard output is not a terminal, so Secret values would go to a file, a pipe or a log that outlives this run; run it at a terminal, or use --show-secrets=force if you mean it")
	}
	return true, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// secretsMode is --show-secrets' value: "" (masked), "true" or "force".
type secretsMode string

const secretsForce secretsMode = "force"

// Set parses --show-secrets, --show-secrets=true|false or --show-secrets=force.
func (m *secretsMode) Set(v string) error {
	switch strings.ToLower(v) {
	case "true", "1":
		*m = "true"
	case "false", "0":
		*m = ""
	case "force":
		*m = secretsForce
	default:
		return fmt.Errorf("want --show-secrets or --show-secrets=force, not %q", v)
	}
	return nil
}

// String returns the mode as given.
func (m *secretsMode) String() string { return string(*m) }

// IsBoolFlag lets --show-secrets stand alone, as a bool flag does.
func (m *secretsMode) IsBoolFlag() bool { return true }

// boolishFlag is a flag that may stand alone or take a value joined with
// "=", so that interspersed does not take the next argument for its value.
type boolishFlag struct{ *ucli.GenericFlag }

// TakesValue is false: the value, if any, is joined with "=".
func (boolishFlag) TakesValue() bool { return false }

// String is the flag's help line, without a value placeholder.
func (f boolishFlag) String() string { return ucli.FlagStringer(f) }

func showSecretsFlag() ucli.Flag {
	mode := secretsMode("")
	return boolishFlag{&ucli.GenericFlag{
		Name:  "show-secrets",
		Value: &mode,
		Usage: "show Secret values instead of masking them, at a terminal; to a file or a pipe, under CI or with -o markdown only as --show-secrets=force",
	}}
}
