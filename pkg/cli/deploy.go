package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/report"
	"github.com/kship/kship/pkg/validate"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func deployCommand() *ucli.Command {
	flags := append(buildFlags(), clusterFlags()...)
	flags = append(flags,
		&ucli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "give up waiting after this long (exit 5)"},
		&ucli.BoolFlag{Name: "dry-run", Usage: "server-side dry run of every object: validated and defaulted by the cluster, nothing written"},
		&ucli.BoolFlag{Name: "force-conflicts", Usage: "take ownership of fields another field manager owns"},
		&ucli.BoolFlag{Name: "recreate", Usage: "delete and re-create objects whose immutable fields changed (Jobs always are)"},
		&ucli.IntFlag{Name: "concurrency", Value: engine.DefaultConcurrency, Usage: "applies in flight at once"},
		&ucli.BoolFlag{Name: "prune", Value: true, Usage: "delete objects that left the build, after the rollout is ready (--prune=false keeps them)"},
		&ucli.DurationFlag{Name: "prune-timeout", Usage: "how long the prune may wait for deleted objects to go (default: half of --timeout, at least 30s); objects a finalizer holds are reported, not waited for"},
		&ucli.BoolFlag{Name: "adopt", Usage: "take over objects that another environment or app (another ApplySet) deploys, instead of refusing"},
		&ucli.BoolFlag{Name: "allow-move", Usage: "deploy an environment to a new namespace although an inventory of it is in another (what is there is left for you to remove)"},
		&ucli.Float64Flag{Name: "max-prune-share", Value: engine.DefaultMaxPruneShare, Usage: "refuse to prune more than this share of the managed objects", EnvVars: []string{"KSHIP_MAX_PRUNE_SHARE"}},
		&ucli.BoolFlag{Name: "allow-mass-prune", Usage: "allow a prune larger than --max-prune-share, or of every object"},
		&ucli.BoolFlag{Name: "rollback-on-failure", Usage: "when the rollout fails, re-apply the last good deploy (and still exit non-zero)"},
		&ucli.StringSliceFlag{Name: "report", Usage: "also write a report: junit=FILE (for CircleCI store_test_results)"},
		outputFlag(formatText, formatJSON),
		progressFlag(),
	)
	flags = append(flags, lockFlags()...)
	flags = append(flags, validateDeployFlags()...)
	return &ucli.Command{
		Name:      "deploy",
		Usage:     "build, guard, server-side apply in phases, wait until ready, report",
		ArgsUsage: "ENV|DIR",
		Description: `Builds ENV, refuses unless the kube context is the environment's, applies
Namespaces and CRDs, then configuration, then pre-deploy Jobs (run to completion,
logs shown), then workloads, then post-deploy Jobs (smoke tests), waiting for
each phase before the next. Fails fast with the pod, container and reason when
a rollout cannot succeed.

Exit codes: 0 ready; 2 usage; 3 build failed (nothing touched); 4 apply failed
or wrong cluster; 5 applied but not ready; 130/143 interrupted.

Examples:
   kship deploy stage
   kship deploy --branch "$CIRCLE_BRANCH" --image api=registry.example/api:$CIRCLE_SHA1 --report junit=test-results/kship.xml
   kship deploy prod --dry-run`,
		Flags:  flags,
		Action: action(parseDeploy),
	}
}

// deployCmd is `kship deploy`.
type deployCmd struct {
	sel selection
	// engine is what the engine is given, but for what only the target
	// says (limits, validation settings) and the progress printer.
	engine engine.Options
	// validate, kubernetesVersion and crds are the validation flags.
	validate          bool
	kubernetesVersion string
	failOn            string
	crds              []string
	progress          progressMode
	format            format
	reports           map[string]string
}

func parseDeploy(c *ucli.Context) (*deployCmd, error) {
	d := &deployCmd{sel: selectionOf(c), format: formatOf(c),
		validate: c.Bool("validate"), kubernetesVersion: c.String("kubernetes-version"), failOn: c.String("fail-on"), crds: c.StringSlice("crds")}
	if err := checkFailOn(c); err != nil {
		return d, err
	}
	bopts, err := buildOptionsOf(c)
	if err != nil {
		return d, err
	}
	if d.progress, err = progressOf(c); err != nil {
		return d, err
	}
	if d.reports, err = parseReports(c.StringSlice("report")); err != nil {
		return d, err
	}
	d.engine = withLock(c, engine.Options{
		Build: bopts, Cluster: clusterOf(c),
		DryRun: c.Bool("dry-run"), Force: c.Bool("force-conflicts"), Recreate: c.Bool("recreate"),
		Concurrency: c.Int("concurrency"), Timeout: c.Duration("timeout"),
		Prune: c.Bool("prune"), PruneTimeout: c.Duration("prune-timeout"),
		MaxPruneShare: c.Float64("max-prune-share"), AllowMassPrune: c.Bool("allow-mass-prune"),
		Adopt: c.Bool("adopt"), AllowMove: c.Bool("allow-move"), RollbackOnFailure: c.Bool("rollback-on-failure"),
	})
	return d, nil
}

// run deploys the target with the engine, and writes the results. With
// -o json a document is written whatever the outcome.
func (d *deployCmd) run(ctx context.Context, s streams) error {
	t, err := d.sel.target()
	var ts []*engine.Target
	if err == nil {
		ts, err = d.sel.narrow(t)
	}
	switch {
	case err != nil:
	case multiCluster(ts):
		err = d.deployClusters(ctx, s, t, ts)
	default:
		err = d.deploy(ctx, s, t)
	}
	var written *resultsWritten
	if err != nil && !errors.As(err, &written) {
		writeEarlyJSON(s.out, d.format, t, err)
	}
	return err
}

// refused writes the -o json document of flags that were refused.
func (d *deployCmd) refused(s streams, err error) { writeEarlyJSON(s.out, d.format, nil, err) }

// options are the engine's options for t, progress going to p.
func (d *deployCmd) options(s streams, t *engine.Target, p progress) (engine.Options, error) {
	opts := d.engine
	opts.Build = withLimits(opts.Build, t.Config)
	opts.OnEvent = p.Event
	if d.validate {
		crds, err := readCRDs(d.crds, t.Config, s.in)
		if err != nil {
			return opts, err
		}
		v := validateOptionsFor(t, d.kubernetesVersion, d.failOn, crds)
		opts.Validate = &v
	}
	return opts, nil
}

func (d *deployCmd) deploy(ctx context.Context, s streams, t *engine.Target) error {
	p := d.progress.printer(s.err)
	defer p.Close()
	opts, err := d.options(s, t, p)
	if err != nil {
		return err
	}
	var delivered func()
	opts.OnEvent, delivered = notifying(t, opts.OnEvent)
	res, err := engine.Deploy(ctx, t, opts)
	delivered()
	p.Close()
	var verr *engine.ValidationError
	if errors.As(err, &verr) {
		// In full, as they stop the deploy.
		if werr := validate.WriteText(s.err, []*validate.Report{verr.Report}); werr != nil {
			return werr
		}
	}
	code := exitcode.OfOr(err, exitcode.Apply)
	werr := writeDeployResults(s.out, d.format, t, res, err, code, d.reports)
	if err != nil {
		return &resultsWritten{exitcode.Wrap(code, explainDeployError(ctx, t, res, err))}
	}
	if werr != nil {
		return &resultsWritten{exitcode.Wrap(exitcode.Apply, fmt.Errorf("%s was deployed, but the report could not be written: %w", t.Name(), werr))}
	}
	return nil
}

// resultsWritten marks an error whose results (JSON, reports) were written.
type resultsWritten struct{ error }

func (e *resultsWritten) Unwrap() error { return e.error }

func explainDeployError(ctx context.Context, t *engine.Target, res *engine.Result, err error) error {
	if beforeCluster(err) {
		return err // it names what to fix, and nothing was tried
	}
	if ctx.Err() != nil && (res == nil || res.Deploy == nil) {
		return fmt.Errorf("interrupted (%v) before deploying %s: nothing was applied: %w", context.Cause(ctx), t.Name(), err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted (%v) while deploying %s: the objects listed as applied are in the cluster; those not ready may still be rolling out: %w", context.Cause(ctx), t.Name(), err)
	}
	if res == nil || res.Rollback == nil {
		return fmt.Errorf("deploy %s failed: %w", t.Name(), err)
	}
	switch rb := res.Rollback; rb.Outcome {
	case engine.RolledBack:
		return fmt.Errorf("deploy %s failed, and kship rolled back to revision %d: %w", t.Name(), rb.To, err)
	case engine.RollbackFailed:
		state := fmt.Sprintf("The rollback changed nothing: the environment runs the failed revision %d", res.Revision)
		if rb.Mixed {
			state = fmt.Sprintf("The environment is in a mixed state, part the failed revision %d, part revision %d", res.Revision, rb.To)
		}
		return fmt.Errorf("deploy %s failed: %w\nThe rollback to revision %d failed too: %s\n%s: see kship status %s",
			t.Name(), err, rb.To, rb.Reason, state, t.Name())
	default:
		return fmt.Errorf("deploy %s failed, and kship did not roll back (%s): %w", t.Name(), rb.Reason, err)
	}
}

// beforeCluster reports whether err stopped the deploy before it touched
// the cluster: a build, validation, option or connection failure.
func beforeCluster(err error) bool {
	return errors.As(err, new(*engine.BuildError)) || errors.As(err, new(*engine.ValidationError)) ||
		errors.As(err, new(*engine.OptionError)) || errors.As(err, new(*engine.ConnectError))
}

// writeDeployResults writes a deploy's or rollback's results in format f,
// and the reports asked for.
func writeDeployResults(w io.Writer, f format, t *engine.Target, rr *engine.Result, runErr error, code int, reports map[string]string) error {
	if rr == nil || rr.Deploy == nil {
		writeEarlyJSON(w, f, t, exitcode.Wrap(code, runErr))
		return nil
	}
	res := rr.Deploy
	err := render(w, f, renderers{
		formatJSON: jsonOf(report.NewDocument(t.Name(), outcome(res.DryRun, code), rr, runErr)),
		formatText: func(w io.Writer) error {
			if err := report.Summary(w, res); err != nil {
				return err
			}
			report.Prune(w, rr.Pruned, rr.WouldPrune, rr.KeptFromPrune, rr.Terminating)
			report.Rollback(w, rr.Rollback)
			return nil
		},
	})
	if err != nil {
		return err
	}
	return writeJUnit(reports, func(w io.Writer) error { return report.JUnit(w, t.Name(), res, rr.Rollback) })
}

// writeJUnit writes the JUnit report, when --report junit=FILE asks for
// one.
func writeJUnit(reports map[string]string, write func(io.Writer) error) error {
	path, ok := reports["junit"]
	if !ok {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("--report junit=%s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--report junit=%s: %w", path, err)
	}
	defer f.Close()
	if err := write(f); err != nil {
		return fmt.Errorf("--report junit=%s: %w", path, err)
	}
	return f.Close()
}

// writeEarlyJSON prints, with -o json, the document of a deploy that ended
// before it had results: nothing to do, or a failure before the deploy
// began (usage, build, guard, lock).
func writeEarlyJSON(w io.Writer, f format, t *engine.Target, err error) {
	if f != formatJSON {
		return
	}
	env := ""
	if t != nil {
		env = t.Name()
	}
	name := ""
	if errors.As(err, new(*NothingToDo)) {
		name, err = "nothing-to-do", nil
	} else {
		name = outcomeOf(exitcode.Of(err))
	}
	_ = jsonOf(report.NewDocument(env, name, nil, err))(w)
}

func outcome(dryRun bool, code int) string {
	if code == exitcode.OK && dryRun {
		return "dry-run"
	}
	return outcomeOf(code)
}

func outcomeOf(code int) string {
	switch code {
	case exitcode.OK:
		return "ready"
	case exitcode.Usage:
		return "usage-error"
	case exitcode.Build:
		return "build-failed"
	case exitcode.Apply:
		return "apply-failed"
	case exitcode.NotReady:
		return "not-ready"
	case exitcode.RollbackFailed:
		return "rollback-failed"
	case exitcode.Interrupted, exitcode.Terminated:
		return "interrupted"
	}
	return "apply-failed"
}

// parseReports reads --report KIND=FILE values.
func parseReports(values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		kind, path, ok := strings.Cut(v, "=")
		if !ok || path == "" || kind != "junit" {
			return nil, usagef("--report %q: want junit=FILE", v)
		}
		out[kind] = path
	}
	return out, nil
}

// progress shows a running deploy's events.
type progress interface {
	Event(event.Event)
	Close()
}

func progressFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "progress", Value: string(progressAuto),
		Usage: "how progress is shown on stderr: live (redrawn in place), lines (timestamped, for CI logs), json (one JSON object per event and line, for tools), or auto (live on a terminal outside CI, else lines)"}
}

// progressMode is a --progress value.
type progressMode string

const (
	progressAuto  progressMode = "auto"
	progressLive  progressMode = "live"
	progressLines progressMode = "lines"
	progressJSON  progressMode = "json"
)

func progressOf(c *ucli.Context) (progressMode, error) {
	switch m := progressMode(c.String("progress")); m {
	case progressAuto, progressLive, progressLines, progressJSON:
		return m, nil
	case "":
		return progressAuto, nil
	default:
		return "", usagef("--progress %q: want auto, live, lines or json", m)
	}
}

// printer returns the printer of mode m on w; for auto, the live view when
// w is a terminal (and CI is not set), and plain timestamped lines
// otherwise.
func (m progressMode) printer(w io.Writer) progress {
	switch m {
	case progressJSON:
		return &report.JSONLines{W: w}
	case progressLines:
		return &report.Lines{W: w}
	case progressLive:
		return livePrinter(w)
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && os.Getenv("CI") == "" {
		return livePrinter(f)
	}
	return &report.Lines{W: w}
}

// livePrinter is the live view on w, as wide as w's terminal when it is one.
func livePrinter(w io.Writer) progress {
	f, ok := w.(*os.File)
	if !ok {
		return &report.Live{W: w}
	}
	return &report.Live{W: f, Width: func() int {
		w, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return w
	}}
}
