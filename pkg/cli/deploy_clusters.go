package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/report"
	"github.com/kship/kship/pkg/validate"
)

// clusterDeploy is one cluster's deploy in a deploy to several.
type clusterDeploy struct {
	t        *engine.Target
	prepared *engine.Prepared
	res      *engine.Result
	err      error
	// attempted is set once the cluster was checked or deployed to.
	attempted bool
}

// deployClusters deploys env to each of ts, the clusters of an
// environment that lists several: every cluster is built, validated and
// guarded before anything is written to any; then they are deployed to
// one after the other (stopping at the first failure) or at once, as the
// environment's rollout says. The exit code is the worst cluster's.
func (d *deployCmd) deployClusters(ctx context.Context, s streams, env *engine.Target, ts []*engine.Target) error {
	p := d.progress.printer(s.err)
	defer p.Close()
	opts, err := d.options(s, env, p)
	if err != nil {
		return err
	}
	var delivered func()
	opts.OnEvent, delivered = notifying(env, opts.OnEvent)
	defer delivered()
	runs := make([]*clusterDeploy, len(ts))
	for i, t := range ts {
		runs[i] = &clusterDeploy{t: t}
	}
	if refused := d.prepareClusters(ctx, runs, opts); refused != nil {
		delivered()
		p.Close()
		return d.clustersDone(ctx, s, env, runs, fmt.Errorf("%w\nnothing was deployed to any cluster of %s", refused, env.Env.Name))
	}
	if env.Env.Rollout == config.RolloutParallel {
		deployParallel(ctx, runs)
	} else {
		deploySerial(ctx, runs, d.engine.DryRun)
	}
	delivered()
	p.Close()
	return d.clustersDone(ctx, s, env, runs, nil)
}

// prepareClusters checks every cluster before any write: each is built,
// validated (with its own namespace) and guarded. It returns the failures,
// each naming its cluster, nil when every cluster is ready to deploy to.
func (d *deployCmd) prepareClusters(ctx context.Context, runs []*clusterDeploy, opts engine.Options) error {
	var errs []error
	for _, r := range runs {
		one := opts
		if opts.Validate != nil {
			v := validateOptionsFor(r.t, d.kubernetesVersion, d.failOn, opts.Validate.CRDs)
			one.Validate = &v
		}
		r.prepared, r.err = engine.Prepare(ctx, r.t, one)
		if r.err != nil {
			r.attempted, r.res = true, r.prepared.Result()
			errs = append(errs, fmt.Errorf("%s: %w", r.t.Name(), r.err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// deploySerial deploys to one cluster after the other, stopping at the
// first that fails (or an interruption); a dry run checks them all.
func deploySerial(ctx context.Context, runs []*clusterDeploy, dryRun bool) {
	for _, r := range runs {
		if ctx.Err() != nil {
			return
		}
		r.attempted = true
		if r.res, r.err = r.prepared.Deploy(ctx); r.err != nil && !dryRun {
			return
		}
	}
}

// deployParallel deploys to the clusters at once, config.MaxParallel at a
// time; one failing does not stop the others.
func deployParallel(ctx context.Context, runs []*clusterDeploy) {
	slots := make(chan struct{}, config.MaxParallel)
	var wg sync.WaitGroup
	for _, r := range runs {
		slots <- struct{}{} // in the listed order
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if ctx.Err() != nil {
				return
			}
			r.attempted = true
			r.res, r.err = r.prepared.Deploy(ctx)
		}()
	}
	wg.Wait()
}

// clustersDone writes the results of a deploy to several clusters and
// returns its error: every failed cluster's, explained; refused, when set,
// is why nothing was deployed.
func (d *deployCmd) clustersDone(ctx context.Context, s streams, env *engine.Target, runs []*clusterDeploy, refused error) error {
	outcomes := make([]report.ClusterOutcome, len(runs))
	worst := exitcode.OK
	var errs []error
	for i, r := range runs {
		o := report.ClusterOutcome{Cluster: r.t.Cluster(), Target: r.t.Name(), Context: r.t.Env.Context, Result: r.res, Err: r.err}
		switch {
		case !r.attempted:
			o.Outcome, o.Result, o.Err = report.NotAttempted, nil, nil
		case r.err != nil:
			code := exitcode.OfOr(r.err, exitcode.Apply)
			worst = max(worst, code)
			o.Outcome = outcomeOf(code)
			var verr *engine.ValidationError
			if errors.As(r.err, &verr) {
				_ = validate.WriteText(s.err, []*validate.Report{verr.Report}) // the error says it failed either way
			}
			if refused == nil {
				errs = append(errs, explainDeployError(ctx, r.t, r.res, r.err))
			}
		default:
			o.Outcome = outcome(d.engine.DryRun, exitcode.OK)
		}
		outcomes[i] = o
	}
	if refused != nil {
		errs = []error{refused}
	}
	if n := notAttempted(outcomes); n != "" && ctx.Err() != nil {
		// Stopped by a signal: the clusters not reached are not deployed.
		worst = max(worst, interruptCode(ctx))
		errs = append(errs, fmt.Errorf("interrupted (%v): not deployed to %s", context.Cause(ctx), n))
	}
	if n := notAttempted(outcomes); n != "" && refused == nil && ctx.Err() == nil && len(errs) > 0 {
		errs = append(errs, fmt.Errorf("not attempted: %s", n))
	}
	runErr := errors.Join(errs...)
	werr := writeClustersResults(s.out, d.format, env, d.engine.DryRun, outcomes, runErr, worst, d.reports)
	if runErr != nil {
		return &resultsWritten{exitcode.Wrap(worst, runErr)}
	}
	if werr != nil {
		return &resultsWritten{exitcode.Wrap(exitcode.Apply, fmt.Errorf("%s was deployed, but the report could not be written: %w", env.Name(), werr))}
	}
	return nil
}

func notAttempted(outcomes []report.ClusterOutcome) string {
	var names []string
	for _, o := range outcomes {
		if o.Outcome == report.NotAttempted {
			names = append(names, o.Target)
		}
	}
	return strings.Join(names, ", ")
}

// writeClustersResults writes a deploy to several clusters in format f:
// each cluster's summary under its name, then one line per cluster; and
// the reports asked for.
func writeClustersResults(w io.Writer, f format, env *engine.Target, dryRun bool, outcomes []report.ClusterOutcome, runErr error, code int, reports map[string]string) error {
	err := render(w, f, renderers{
		formatJSON: jsonOf(report.NewClustersDocument(env.Name(), outcome(dryRun, code), dryRun, outcomes, runErr)),
		formatText: func(w io.Writer) error {
			for _, o := range outcomes {
				rr := o.Result
				if rr == nil || rr.Deploy == nil {
					continue
				}
				fmt.Fprintf(w, "cluster %s (context %s):\n", o.Cluster, o.Context)
				if err := report.Summary(w, rr.Deploy); err != nil {
					return err
				}
				report.Prune(w, rr.Pruned, rr.WouldPrune, rr.KeptFromPrune, rr.Terminating)
				report.Rollback(w, rr.Rollback)
				fmt.Fprintln(w)
			}
			return report.Clusters(w, outcomes)
		},
	})
	if err != nil {
		return err
	}
	return writeJUnit(reports, func(w io.Writer) error { return report.JUnitClusters(w, env.Name(), outcomes) })
}
