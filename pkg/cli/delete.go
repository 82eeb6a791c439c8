package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kship/kship/pkg/engine"
	ucli "github.com/urfave/cli/v2"
)

func deleteCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "delete",
		Usage:     "remove everything kship manages for an environment: its objects, inventory, history and lock",
		ArgsUsage: "ENV",
		Description: `Deletes the environment's objects (its inventory's members) in the reverse of
the deploy's phase order, waiting until each is gone, then its saved revisions,
its inventory and its lock, and last its namespace, unless the namespace holds
objects kship does not manage: it is then kept, and they are named. The guard
applies: the kube context must be the environment's.

It asks for the environment's name at a terminal; in CI (CI set), without a
terminal, and for a production environment, it refuses without --yes.

Examples:
   kship delete preview-1234 --dry-run
   kship delete preview-1234 --yes`,
		Flags: append(append(clusterFlags(), yesFlag,
			&ucli.BoolFlag{Name: "dry-run", Usage: "list what would be deleted, and delete nothing"},
			&ucli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "how long to wait for the objects to go"}),
			lockFlags()...),
		Action: action(parseDelete),
	}
}

// deleteCmd is `kship delete`.
type deleteCmd struct {
	sel  selection
	yes  bool
	opts engine.DeleteOptions
}

func parseDelete(c *ucli.Context) (*deleteCmd, error) {
	e := withLock(c, engine.Options{})
	return &deleteCmd{sel: selectionOf(c), yes: c.Bool("yes"), opts: engine.DeleteOptions{Cluster: clusterOf(c),
		DryRun: c.Bool("dry-run"), Timeout: c.Duration("timeout"), LockWait: e.LockWait, LockTTL: e.LockTTL, By: e.By}}, nil
}

func (d *deleteCmd) run(ctx context.Context, s streams) error {
	if len(d.sel.args) != 1 {
		return usagef("give one environment (see 'kship envs')")
	}
	t, err := d.sel.targetOf(d.sel.args[0])
	if err != nil {
		return err
	}
	if t, err = d.sel.single(t); err != nil {
		return err
	}
	if t.Env == nil {
		return usagef("%s: give an environment of kship.yaml, not a directory", t.Name())
	}
	yes, opts := d.yes, d.opts
	switch {
	case opts.DryRun || yes:
	case production(t.Env):
		return usagef("%s is a production environment: pass --yes to delete it; nothing was deleted", t.Name())
	case inCI():
		return usagef("%s: refusing to delete in CI without --yes; nothing was deleted", t.Name())
	case !stdinTerminal(s):
		return usagef("%s: standard input is not a terminal, so kship cannot ask; pass --yes to delete it; nothing was deleted", t.Name())
	}
	if !yes {
		opts.Confirm = func(p *engine.DeletePlan) error {
			printDeletePlan(s.err, p, "will delete")
			return confirmByName(s, t.Name(), "delete it")
		}
	}
	rep, err := engine.Delete(ctx, t, opts)
	if err != nil {
		if rep != nil {
			list(s.out, "deleted", refStrings(rep.Deleted))
		}
		return prefixed("deleting "+t.Name(), err)
	}
	if opts.DryRun {
		printDeletePlan(s.out, &rep.Plan, "would delete")
		return nil
	}
	if rep.Plan.Empty() {
		fmt.Fprintf(s.err, "kship: kship manages nothing in %s (context %q); nothing to delete\n", t.Name(), rep.Plan.Context)
		return nil
	}
	list(s.out, "deleted", refStrings(rep.Deleted))
	for _, k := range rep.KeptNamespaces {
		fmt.Fprintf(s.out, "kept Namespace/%s: it holds objects kship does not manage: %s\n", k.Name, strings.Join(k.Holds, ", "))
	}
	fmt.Fprintf(s.err, "kship: deleted environment %s from context %q: %d objects, its inventory, history and lock\n",
		t.Name(), rep.Plan.Context, len(rep.Deleted))
	return nil
}

func printDeletePlan(w io.Writer, p *engine.DeletePlan, verb string) {
	fmt.Fprintf(w, "environment %s, context %q (%s)\n", p.Environment, p.Context, p.Server)
	if len(p.Objects) == 0 && p.Inventory == "" {
		fmt.Fprintln(w, "kship manages nothing here")
	}
	list(w, verb, refStrings(p.Objects))
	if p.Inventory != "" {
		fmt.Fprintf(w, "%s the inventory %s, its history and saved revisions (%d), and the deploy lock\n", verb, p.Inventory, p.Revisions)
	}
	for _, u := range p.Unlisted {
		fmt.Fprintf(w, "not listed, so not deleted: %s\n", u)
	}
}

func refStrings[T fmt.Stringer](refs []T) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.String()
	}
	return out
}
