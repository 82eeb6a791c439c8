package cli

import (
	"fmt"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
)

// liveDiff diffs the target's build against its cluster, with the
// deploy's own dry-run planner. A report comes with every object that
// could be diffed, even when others failed; the error then names those
// (exit code 4).
func liveDiff(c *ucli.Context, opts build.Options, show bool) (*diff.Report, error) {
	t, err := resolveTarget(c)
	if err != nil {
		return nil, err
	}
	cluster, err := clusterFor(c, t)
	if err != nil {
		return nil, err
	}
	planned, planErr := engine.Diff(c.Context, t, engine.Options{
		Build: opts, Cluster: cluster,
		Force: c.Bool("force-conflicts"), Recreate: c.Bool("recreate"), Prune: c.Bool("prune"),
	})
	if planned == nil {
		return nil, fmt.Errorf("diff %s: %w", t.Name(), planErr)
	}
	dopts := diff.Options{ShowSecrets: show, From: "live", To: "dry-run"}
	maskDecrypted(&dopts, opts)
	plan, err := diff.Compute(planned.Input, dopts)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Apply, err)
	}
	rep := &diff.Report{From: "live (context " + planned.Context + ")", To: "server-side dry run", Plans: []*diff.Plan{plan}}
	if planErr != nil {
		planErr = fmt.Errorf("diff %s: %w", t.Name(), planErr)
	}
	return rep, planErr
}
