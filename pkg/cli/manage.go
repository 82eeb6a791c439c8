package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/report"
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
	ts, err := r.sel.targets()
	if err != nil {
		return err
	}
	if !multiCluster(ts) {
		return r.rollback(ctx, s, ts[0])
	}
	if r.toRevision != 0 && len(ts) > 1 {
		return usagef("--to-revision names a revision of one cluster's history (each cluster numbers its own): pick the cluster with --cluster")
	}
	return r.rollbackClusters(ctx, s, ts)
}

// rollbackClusters rolls each cluster back one good deploy from where it
// stands, one after the other, each under its own lock; a failure stops
// the rest. The results are one document, as a deploy's.
func (r *rollbackCmd) rollbackClusters(ctx context.Context, s streams, ts []*engine.Target) error {
	outcomes := make([]report.ClusterOutcome, len(ts))
	worst := exitcode.OK
	var errs []error
	stopped := false
	for i, t := range ts {
		outcomes[i] = report.ClusterOutcome{Cluster: t.Cluster(), Target: t.Name(), Context: t.Env.Context, Outcome: report.NotAttempted}
		if stopped || ctx.Err() != nil {
			continue
		}
		res, err := r.run1(ctx, s, t)
		code := exitcode.OfOr(err, exitcode.Apply)
		outcomes[i].Result, outcomes[i].Err, outcomes[i].Outcome = res, err, outcomeOf(code)
		if err != nil {
			worst, stopped = max(worst, code), true
			errs = append(errs, exitcode.Wrap(code, prefixed("rollback of "+t.Name(), err)))
		}
	}
	if n := notAttempted(outcomes); n != "" {
		if ctx.Err() != nil {
			worst = max(worst, interruptCode(ctx))
		}
		errs = append(errs, fmt.Errorf("not rolled back: %s", n))
	}
	runErr := errors.Join(errs...)
	werr := writeClustersResults(s.out, r.format, ts[0], false, outcomes, runErr, worst, nil)
	if runErr != nil {
		return exitcode.Wrap(worst, runErr)
	}
	return werr
}

func (r *rollbackCmd) rollback(ctx context.Context, s streams, t *engine.Target) error {
	res, err := r.run1(ctx, s, t)
	code := exitcode.OfOr(err, exitcode.Apply)
	werr := writeDeployResults(s.out, r.format, t, res, err, code, nil)
	if err != nil {
		return exitcode.Wrap(code, prefixed("rollback of "+t.Name(), err))
	}
	if werr != nil {
		return exitcode.Wrap(exitcode.Apply, fmt.Errorf("%s was rolled back, but the result could not be written: %w", t.Name(), werr))
	}
	return nil
}

// run1 rolls t back, showing progress, and says so when it worked.
func (r *rollbackCmd) run1(ctx context.Context, s streams, t *engine.Target) (*engine.Result, error) {
	p := r.progress.printer(s.err)
	defer p.Close()
	opts := r.engine
	opts.OnEvent = p.Event
	res, err := engine.Rollback(ctx, t, r.toRevision, opts)
	p.Close()
	if err == nil {
		fmt.Fprintf(s.err, "kship: %s rolled back to revision %d (now revision %d)\n", t.Name(), res.Rollback.To, res.Revision)
	}
	return res, err
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
	ts, err := u.sel.targets()
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range ts {
		if err := u.unlock(ctx, s, t); err != nil {
			errs = append(errs, err)
		}
	}
	return worstOf(errs)
}

func (u *unlockCmd) unlock(ctx context.Context, s streams, t *engine.Target) error {
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
	ts, err := st.sel.targets()
	if err != nil {
		return err
	}
	if !multiCluster(ts) {
		doc, err := engine.Status(ctx, ts[0], st.cluster)
		if err != nil {
			return prefixed("status of "+ts[0].Name(), err)
		}
		err = render(s.out, st.format, renderers{
			formatJSON: jsonOf(doc),
			formatText: func(w io.Writer) error { return printStatus(w, doc) },
		})
		if err != nil {
			return err
		}
		return unhealthy(ts[0], doc)
	}
	return st.clusters(ctx, s, ts)
}

// clusterStatus is one cluster's status, in the -o json document of an
// environment of several clusters.
type clusterStatus struct {
	Cluster string               `json:"cluster"`
	Context string               `json:"context"`
	Error   string               `json:"error,omitempty"`
	Status  *engine.StatusReport `json:"status,omitempty"`
}

// clusters is the status of each of an environment's clusters: one
// section each, or one JSON document listing them. A cluster that cannot
// be read is reported and does not hide the others.
func (st *statusCmd) clusters(ctx context.Context, s streams, ts []*engine.Target) error {
	var out []clusterStatus
	var errs []error
	for _, t := range ts {
		c := clusterStatus{Cluster: t.Cluster(), Context: t.Env.Context}
		doc, err := engine.Status(ctx, t, st.cluster)
		if err != nil {
			err = prefixed("status of "+t.Name(), err)
			c.Error = err.Error()
			errs = append(errs, err)
		} else if err := unhealthy(t, doc); err != nil {
			errs = append(errs, err)
		}
		c.Status = doc
		out = append(out, c)
	}
	err := render(s.out, st.format, renderers{
		formatJSON: jsonOf(map[string]any{"version": 1, "environment": ts[0].Env.Name, "clusters": out}),
		formatText: func(w io.Writer) error {
			for i, c := range out {
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "cluster %s (context %s):\n", c.Cluster, c.Context)
				if c.Status == nil {
					fmt.Fprintf(w, "error: %s\n", c.Error)
					continue
				}
				if err := printStatus(w, c.Status); err != nil {
					return err
				}
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	return worstOf(errs)
}

// unhealthy is an error (exit 5) when an object of doc is not healthy.
func unhealthy(t *engine.Target, doc *engine.StatusReport) error {
	for _, o := range doc.Objects {
		if !o.Healthy() {
			return exitcode.Wrap(exitcode.NotReady, fmt.Errorf("%s: %s is %s", t.Name(), o.Ref, o.Status))
		}
	}
	return nil
}

// worstOf joins errs, with the highest exit code among them.
func worstOf(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	code := exitcode.OK
	for _, err := range errs {
		code = max(code, exitcode.OfOr(err, exitcode.Apply))
	}
	return exitcode.Wrap(code, errors.Join(errs...))
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
