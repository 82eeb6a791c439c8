package cli

import (
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
		Action: runDelete,
	}
}

func runDelete(c *ucli.Context) error {
	if c.NArg() != 1 {
		return usagef("give one environment (see 'kship envs')")
	}
	t, err := resolveArg(c, c.Args().First())
	if err != nil {
		return err
	}
	if t.Env == nil {
		return usagef("%s: give an environment of kship.yaml, not a directory", t.Name())
	}
	yes := c.Bool("yes")
	switch {
	case c.Bool("dry-run") || yes:
	case production(t.Env):
		return usagef("%s is a production environment: pass --yes to delete it; nothing was deleted", t.Name())
	case inCI():
		return usagef("%s: refusing to delete in CI without --yes; nothing was deleted", t.Name())
	case !stdinTerminal(c):
		return usagef("%s: standard input is not a terminal, so kship cannot ask; pass --yes to delete it; nothing was deleted", t.Name())
	}
	opts := engine.DeleteOptions{Cluster: clusterOptions(c), DryRun: c.Bool("dry-run"), Timeout: c.Duration("timeout"),
		LockWait: c.Duration("lock-timeout"), LockTTL: c.Duration("lock-ttl"), By: c.String("lock-holder")}
	if !yes {
		opts.Confirm = func(p *engine.DeletePlan) error {
			printDeletePlan(c.App.ErrWriter, p, "will delete")
			return confirmByName(c, t.Name(), "delete it")
		}
	}
	rep, err := engine.Delete(c.Context, t, opts)
	if err != nil {
		if rep != nil {
			list(c.App.Writer, "deleted", refStrings(rep.Deleted))
		}
		return prefixed("deleting "+t.Name(), err)
	}
	if opts.DryRun {
		printDeletePlan(c.App.Writer, &rep.Plan, "would delete")
		return nil
	}
	if rep.Plan.Empty() {
		fmt.Fprintf(c.App.ErrWriter, "kship: kship manages nothing in %s (context %q); nothing to delete\n", t.Name(), rep.Plan.Context)
		return nil
	}
	list(c.App.Writer, "deleted", refStrings(rep.Deleted))
	for _, k := range rep.KeptNamespaces {
		fmt.Fprintf(c.App.Writer, "kept Namespace/%s: it holds objects kship does not manage: %s\n", k.Name, strings.Join(k.Holds, ", "))
	}
	fmt.Fprintf(c.App.ErrWriter, "kship: deleted environment %s from context %q: %d objects, its inventory, history and lock\n",
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
