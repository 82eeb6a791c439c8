package cli

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
)

// liveDiff diffs the target's build against its cluster, with the
// deploy's own dry-run planner. A report comes with every object that
// could be diffed, even when others failed; the error then names those
// (exit code 4).
func (d *diffCmd) liveDiff(ctx context.Context, show bool) (*diff.Report, error) {
	t, err := d.sel.target()
	if err != nil {
		return nil, err
	}
	planned, planErr := engine.Diff(ctx, t, engine.Options{
		Build: withLimits(d.build, t.Config), Cluster: d.cluster,
		Force: d.force, Recreate: d.recreate, Prune: d.prune,
	})
	if planned == nil {
		return nil, fmt.Errorf("diff %s: %w", t.Name(), planErr)
	}
	dopts := diff.Options{ShowSecrets: show, From: "live", To: "dry-run"}
	maskDecrypted(&dopts, d.build)
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
