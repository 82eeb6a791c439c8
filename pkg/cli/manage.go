package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
)

func rollbackCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "rollback",
		Usage:     "re-apply the environment's previous good deploy and wait for it",
		ArgsUsage: "ENV",
		Description: `kship keeps the manifests of the last 3 good deploys of each environment in
the cluster. rollback re-applies the one before the current (or --to-revision N),
under the deploy lock, waits until it is ready, and prunes what it lacks.

Example:
   kship rollback prod`,
		Flags: append(append(clusterFlags(), branchFlag,
			&ucli.IntFlag{Name: "to-revision", Usage: "the revision to return to (see kship status)"},
			&ucli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "give up waiting after this long (exit 5)"},
			outputFlag(formatText, formatJSON), progressFlag()), lockFlags()...),
		Action: action(parseRollback),
	}
}

// rollbackCmd is `kship rollback`.
type rollbackCmd struct {
	sel        selection
	toRevision int
	engine     engine.Options
	progress   progressMode
	format     format
}

func parseRollback(c *ucli.Context) (*rollbackCmd, error) {
	r := &rollbackCmd{sel: selectionOf(c), toRevision: c.Int("to-revision"), format: formatOf(c),
		engine: withLock(c, engine.Options{Cluster: clusterOf(c), Timeout: c.Duration("timeout")})}
	var err error
	r.progress, err = progressOf(c)
	return r, err
}

func (r *rollbackCmd) run(ctx context.Context, s streams) error {
	t, err := r.sel.target()
	if err != nil {
		return err
	}
	p := r.progress.printer(s.err)
	defer p.Close()
	opts := r.engine
	opts.OnEvent = p.Event
	res, err := engine.Rollback(ctx, t, r.toRevision, opts)
	p.Close()
	code := exitcode.OfOr(err, exitcode.Apply)
	werr := writeDeployResults(s.out, r.format, t, res, err, code, nil)
	if err != nil {
		return exitcode.Wrap(code, prefixed("rollback of "+t.Name(), err))
	}
	if werr != nil {
		return exitcode.Wrap(exitcode.Apply, fmt.Errorf("%s was rolled back, but the result could not be written: %w", t.Name(), werr))
	}
	fmt.Fprintf(s.err, "kship: %s rolled back to revision %d (now revision %d)\n", t.Name(), res.Rollback.To, res.Revision)
	return nil
}

func unlockCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "unlock",
		Usage:     "break the environment's deploy lock (the holder's lease expires by itself; this is for the rare manual case)",
		ArgsUsage: "ENV",
		Flags:     append(clusterFlags(), branchFlag),
		Action:    action(parseUnlock),
	}
}

// unlockCmd is `kship unlock`.
type unlockCmd struct {
	sel     selection
	cluster engine.Cluster
}

func parseUnlock(c *ucli.Context) (*unlockCmd, error) {
	return &unlockCmd{sel: selectionOf(c), cluster: clusterOf(c)}, nil
}

func (u *unlockCmd) run(ctx context.Context, s streams) error {
	t, err := u.sel.target()
	if err != nil {
		return err
	}
	info, err := engine.Unlock(ctx, t, u.cluster)
	if err != nil {
		return prefixed("unlocking "+t.Name(), err)
	}
	if info == nil {
		fmt.Fprintf(s.err, "kship: %s was not locked\n", t.Name())
		return nil
	}
	fmt.Fprintf(s.err, "kship: unlocked %s (it was held by %s since %s)\n", t.Name(), info.Holder, info.Acquired.Format(time.RFC3339))
	return nil
}

func statusCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "status",
		Usage:     "the health of every object kship manages in the environment, the last deploy and the lock holder",
		ArgsUsage: "ENV",
		Description: `Exit code 0 when every object is Current or Unknown (a custom resource
whose status kship cannot judge; its message says what kship saw), 5 when one
is not.

Example:
   kship status stage`,
		Flags:  append(clusterFlags(), branchFlag, outputFlag(formatText, formatJSON)),
		Action: action(parseStatus),
	}
}

// statusCmd is `kship status`.
type statusCmd struct {
	sel     selection
	cluster engine.Cluster
	format  format
}

func parseStatus(c *ucli.Context) (*statusCmd, error) {
	return &statusCmd{sel: selectionOf(c), cluster: clusterOf(c), format: formatOf(c)}, nil
}

func (st *statusCmd) run(ctx context.Context, s streams) error {
	t, err := st.sel.target()
	if err != nil {
		return err
	}
	doc, err := engine.Status(ctx, t, st.cluster)
	if err != nil {
		return prefixed("status of "+t.Name(), err)
	}
	err = render(s.out, st.format, renderers{
		formatJSON: jsonOf(doc),
		formatText: func(w io.Writer) error { return printStatus(w, doc) },
	})
	if err != nil {
		return err
	}
	for _, o := range doc.Objects {
		if !o.Healthy() {
			return exitcode.Wrap(exitcode.NotReady, fmt.Errorf("%s: %s is %s", t.Name(), o.Ref, o.Status))
		}
	}
	return nil
}

func printStatus(w io.Writer, doc *engine.StatusReport) error {
	fmt.Fprintf(w, "environment %s (inventory %s)\n", doc.Environment, doc.Inventory)
	if d := doc.LastDeploy; d != nil {
		fmt.Fprintf(w, "last deploy: revision %d, %s, %s by %s", d.Revision, d.Outcome, d.Time.Format(time.RFC3339), d.By)
		if len(d.Images) > 0 {
			fmt.Fprintf(w, ", images %s", strings.Join(d.Images, ", "))
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "last deploy: none recorded")
	}
	if l := doc.Lock; l != nil && !l.Expired(time.Now()) {
		fmt.Fprintf(w, "lock: held by %s since %s\n", l.Holder, l.Acquired.Format(time.RFC3339))
	} else {
		fmt.Fprintln(w, "lock: free")
	}
	for _, u := range doc.Unlisted {
		fmt.Fprintf(w, "not listed: %s\n", u)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nOBJECT\tSTATUS\tMESSAGE")
	for _, o := range doc.Objects {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Ref, o.Status, o.Message)
	}
	return tw.Flush()
}

// prefixed says what failed before err, unless err stopped the command
// before it touched the cluster: such an error names its target itself.
func prefixed(what string, err error) error {
	if beforeCluster(err) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
