package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kship/kship/pkg/diff"
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
		outputFlag("text", "markdown", "json"),
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
		Action: runDiff,
	}
}

func runDiff(c *ucli.Context) error {
	show, err := showSecrets(c)
	if err != nil {
		return err
	}
	opts, err := buildOptions(c)
	if err != nil {
		return err
	}
	var rep *diff.Report
	switch base := c.String("base"); {
	case base != "":
		rep, err = baseDiff(c, base, opts, show)
	case c.Bool("all"):
		return usagef("--all needs --base REF: a live diff compares one environment with its own cluster")
	default:
		rep, err = liveDiff(c, opts, show)
	}
	if rep != nil {
		if werr := writeDiff(c, rep); werr != nil && err == nil {
			err = fmt.Errorf("writing the diff: %w", werr)
		}
		noteNoDecrypt(c, opts)
	}
	if err != nil {
		return diffError(c, err)
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
func diffError(c *ucli.Context, err error) error {
	switch {
	case c.Context.Err() != nil:
		return exitcode.Wrap(interruptCode(c.Context), err)
	case exitcode.Of(err) == exitcode.Changes:
		return exitcode.Wrap(exitcode.Apply, err)
	}
	return err
}

func writeDiff(c *ucli.Context, rep *diff.Report) error {
	switch c.String("output") {
	case "json":
		return diff.JSON(c.App.Writer, rep)
	case "markdown":
		return diff.Markdown(c.App.Writer, rep)
	}
	color := isTerminal(c.App.Writer) && os.Getenv("NO_COLOR") == ""
	return diff.Text(c.App.Writer, rep, diff.TextOptions{Color: color})
}

// showSecrets decides whether Secret values may be shown. Plain
// --show-secrets is for a person at a terminal: when standard output is a
// file, a pipe or a CI log (CI set, and not "false" or "0"), or with -o
// markdown, the output outlives the run and more people read it than
// should, so there it takes --show-secrets=force.
func showSecrets(c *ucli.Context) (bool, error) {
	mode, _ := c.Generic("show-secrets").(*secretsMode)
	if mode == nil || *mode == "" {
		return false, nil
	}
	if *mode == secretsForce {
		return true, nil
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		return false, usagef("--show-secrets is refused under CI (CI=%s): build logs keep Secret values and more people read them than should; use --show-secrets=force if you mean it", ci)
	}
	if c.String("output") == "markdown" {
		return false, usagef("--show-secrets is refused with -o markdown, which is meant for pull-request comments; use --show-secrets=force if you mean it")
	}
	if !isTerminal(c.App.Writer) {
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
