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

func clusterFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "kubeconfig", Usage: "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)", EnvVars: []string{"KUBECONFIG"}},
		&ucli.StringFlag{Name: "context", Usage: "kube context to use; it must be the environment's (default: the kubeconfig's current context)"},
	}
}

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
		outputFlag("text", "json"),
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
logs shown), then workloads, waiting for each phase before the next. Fails fast
with the pod, container and reason when a rollout cannot succeed.

Exit codes: 0 ready; 2 usage; 3 build failed (nothing touched); 4 apply failed
or wrong cluster; 5 applied but not ready; 130/143 interrupted.

Examples:
   kship deploy stage
   kship deploy --branch "$CIRCLE_BRANCH" --image api=registry.example/api:$CIRCLE_SHA1 --report junit=test-results/kship.xml
   kship deploy prod --dry-run`,
		Flags:  flags,
		Action: runDeploy,
	}
}

func runDeploy(c *ucli.Context) error {
	t, err := resolveTarget(c)
	if err != nil {
		writeEarlyJSON(c, nil, "", err)
		return err
	}
	err = deployTarget(c, t)
	var written *resultsWritten
	if err != nil && !errors.As(err, &written) {
		writeEarlyJSON(c, t, "", err)
	}
	return err
}

// deployOptions turns the deploy command's flags into the engine's options.
func deployOptions(c *ucli.Context, t *engine.Target, p progress) (engine.Options, error) {
	bopts, err := buildOptions(c)
	if err != nil {
		return engine.Options{}, err
	}
	cluster, err := clusterFor(c, t)
	if err != nil {
		return engine.Options{}, err
	}
	opts := engine.Options{
		Build: bopts, Cluster: cluster,
		DryRun: c.Bool("dry-run"), Force: c.Bool("force-conflicts"), Recreate: c.Bool("recreate"),
		Concurrency: c.Int("concurrency"), Timeout: c.Duration("timeout"),
		Prune: c.Bool("prune"), PruneTimeout: c.Duration("prune-timeout"),
		MaxPruneShare: c.Float64("max-prune-share"), AllowMassPrune: c.Bool("allow-mass-prune"),
		Adopt: c.Bool("adopt"), AllowMove: c.Bool("allow-move"), RollbackOnFailure: c.Bool("rollback-on-failure"),
		LockWait: c.Duration("lock-timeout"), LockTTL: c.Duration("lock-ttl"), By: c.String("lock-holder"),
		OnEvent: p.Event,
	}
	if c.Bool("validate") {
		crds, err := readCRDs(c)
		if err != nil {
			return opts, err
		}
		v := validateOptions(c, t, crds)
		opts.Validate = &v
	}
	return opts, nil
}

// deployTarget deploys t with the engine, and writes the results.
func deployTarget(c *ucli.Context, t *engine.Target) error {
	reports, err := parseReports(c.StringSlice("report"))
	if err != nil {
		return err
	}
	p, err := progressPrinter(c)
	if err != nil {
		return err
	}
	defer p.Close()
	opts, err := deployOptions(c, t, p)
	if err != nil {
		return err
	}
	res, err := engine.Deploy(c.Context, t, opts)
	p.Close()
	var verr *engine.ValidationError
	if errors.As(err, &verr) {
		// In full, as they stop the deploy.
		if werr := validate.WriteText(c.App.ErrWriter, []*validate.Report{verr.Report}); werr != nil {
			return werr
		}
	}
	code := exitcode.OfOr(err, exitcode.Apply)
	werr := writeDeployResults(c, t, res, err, code, reports)
	if err != nil {
		return &resultsWritten{exitcode.Wrap(code, explainDeployError(c.Context, t, res, err))}
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

func writeDeployResults(c *ucli.Context, t *engine.Target, rr *engine.Result, runErr error, code int, reports map[string]string) error {
	if rr == nil || rr.Deploy == nil {
		writeEarlyJSON(c, t, "", exitcode.Wrap(code, runErr))
		return nil
	}
	res := rr.Deploy
	if c.String("output") == "json" {
		doc := report.NewDocument(t.Name(), outcome(res.DryRun, code), rr, runErr)
		if err := report.JSON(c.App.Writer, doc); err != nil {
			return err
		}
	} else {
		if err := report.Summary(c.App.Writer, res); err != nil {
			return err
		}
		report.Prune(c.App.Writer, rr.Pruned, rr.WouldPrune, rr.KeptFromPrune, rr.Terminating)
		report.Rollback(c.App.Writer, rr.Rollback)
	}
	if path, ok := reports["junit"]; ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("--report junit=%s: %w", path, err)
		}
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("--report junit=%s: %w", path, err)
		}
		defer f.Close()
		if err := report.JUnit(f, t.Name(), res, rr.Rollback); err != nil {
			return fmt.Errorf("--report junit=%s: %w", path, err)
		}
		return f.Close()
	}
	return nil
}

// writeEarlyJSON prints, with -o json, the document of a deploy that ended
// before it had results: nothing to do, or a failure before the deploy
// began (usage, build, guard, lock).
func writeEarlyJSON(c *ucli.Context, t *engine.Target, outcomeName string, err error) {
	if c.String("output") != "json" {
		return
	}
	env := ""
	if t != nil {
		env = t.Name()
	}
	if errors.As(err, new(*NothingToDo)) {
		outcomeName, err = "nothing-to-do", nil
	}
	if outcomeName == "" {
		outcomeName = outcomeOf(exitcode.Of(err))
	}
	_ = report.JSON(c.App.Writer, report.NewDocument(env, outcomeName, nil, err))
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
	return &ucli.StringFlag{Name: "progress", Value: "auto",
		Usage: "how progress is shown on stderr: live (redrawn in place), lines (timestamped, for CI logs), json (one JSON object per event and line, for tools), or auto (live on a terminal outside CI, else lines)"}
}

// progressPrinter returns the printer --progress names; for auto, the
// live view when stderr is a terminal (and CI is not set), and plain
// timestamped lines otherwise.
func progressPrinter(c *ucli.Context) (progress, error) {
	switch mode := c.String("progress"); mode {
	case "json":
		return &report.JSONLines{W: c.App.ErrWriter}, nil
	case "lines":
		return &report.Lines{W: c.App.ErrWriter}, nil
	case "live":
		return livePrinter(c.App.ErrWriter), nil
	case "auto", "":
	default:
		return nil, usagef("--progress %q: want auto, live, lines or json", mode)
	}
	if f, ok := c.App.ErrWriter.(*os.File); ok && term.IsTerminal(int(f.Fd())) && os.Getenv("CI") == "" {
		return livePrinter(f), nil
	}
	return &report.Lines{W: c.App.ErrWriter}, nil
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
