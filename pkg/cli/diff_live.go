package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
)

// liveDiff diffs the target's build against its cluster, with the
// deploy's own dry-run planner; for an environment of several clusters,
// against each (one plan per cluster). A report comes with every object
// that could be diffed, even when others failed; the error then names
// those (exit code 4).
func (d *diffCmd) liveDiff(ctx context.Context, show bool) (*diff.Report, error) {
	ts, err := d.sel.targets()
	if err != nil {
		return nil, err
	}
	rep := &diff.Report{To: "server-side dry run"}
	var contexts []string
	var errs []error
	for _, t := range ts {
		plan, context, err := d.liveDiffOne(ctx, t, show)
		if plan != nil {
			rep.Plans = append(rep.Plans, plan)
			contexts = append(contexts, context)
		}
		if err != nil {
			errs = append(errs, err)
		}
		if plan == nil && ctx.Err() != nil {
			break
		}
	}
	if len(rep.Plans) == 0 {
		return nil, worstOf(errs)
	}
	rep.From = "live (context " + strings.Join(contexts, ", ") + ")"
	if len(contexts) > 1 {
		rep.From = "live (contexts " + strings.Join(contexts, ", ") + ")"
	}
	return rep, worstOf(errs)
}

// liveDiffOne is the plan of one target, and the context it was diffed
// against.
func (d *diffCmd) liveDiffOne(ctx context.Context, t *engine.Target, show bool) (*diff.Plan, string, error) {
	planned, planErr := engine.Diff(ctx, t, engine.Options{
		Build: withLimits(d.build, t.Config), Cluster: d.cluster,
		Force: d.force, Recreate: d.recreate, Prune: d.prune,
	})
	if planned == nil {
		return nil, "", fmt.Errorf("diff %s: %w", t.Name(), planErr)
	}
	dopts := diff.Options{ShowSecrets: show, From: "live", To: "dry-run"}
	maskDecrypted(&dopts, d.build)
	plan, err := diff.Compute(planned.Input, dopts)
	if err != nil {
		return nil, "", exitcode.Wrap(exitcode.Apply, err)
	}
	if planErr != nil {
		planErr = fmt.Errorf("diff %s: %w", t.Name(), planErr)
	}
	return plan, planned.Context, planErr
}
