package deploy

import (
	"context"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Options says how to deploy.
type Options struct {
	// Apply says how to apply; DryRun there makes the whole deploy a dry run
	// (server-side, nothing persisted, nothing waited for).
	Apply apply.Options
	// OnEvent, when set, receives progress, one event at a time.
	OnEvent event.Func
	// BeforePhase, when set, is called before each phase applies anything;
	// an error stops the deploy there (the deploy lock's check).
	BeforePhase func(phase string) error
	// TimeoutOf, when set, gives an object's own timeout (see
	// wait.Options.TimeoutOf), within the deploy's.
	TimeoutOf func(*unstructured.Unstructured) (time.Duration, string)
	// Rules judge the kinds they have a rule for (see wait.Options.Rules).
	Rules status.Rules
}

// Plan is a deploy checked against the cluster, ready to run.
type Plan struct {
	client *kube.Client
	opts   Options
	phases []Phase
	// Checked is what the server's dry run of every object said: for a
	// dry run, the whole result.
	Checked *Result
	// server holds, for each object the server checked, what it returned;
	// only for a dry run, whose objects a diff shows: a deploy does not
	// keep them all while it runs.
	server map[object.Ref]apply.Result
	begun  time.Time
}

// Server returns what the server's dry run of ref returned: the live
// object before (nil when it would be created) and the object as it would
// be after; ok is false for objects the server did not check or refused,
// and for every object of a plan that is not a dry run (Apply.DryRun).
func (p *Plan) Server(ref object.Ref) (before, after *unstructured.Unstructured, ok bool) {
	r, ok := p.server[ref]
	return r.Before, r.Object, ok && r.Object != nil
}

// Prepare checks a deploy of objs before anything is written: it finds the
// workloads an autoscaler scales (whose spec.replicas it leaves to the
// autoscaler) and has the API server dry-run every object it can check, so
// that conflicts, refusals by validation or admission webhooks, and objects
// that belong to another set stop the deploy before its first write (and
// before its migration runs). Objects the server cannot check yet (in a
// namespace, or of a kind, that the deploy itself creates or changes) are
// listed unchecked.
//
// The error is a *Error of stage StagePreflight naming the objects refused;
// Plan.Checked then says what the server said of each.
func Prepare(ctx context.Context, client *kube.Client, objs []*unstructured.Unstructured, opts Options) (*Plan, error) {
	p := &Plan{client: client, opts: opts, phases: Phases(objs), begun: time.Now(), server: map[object.Ref]apply.Result{}}
	scaled, notes := scaledWorkloads(ctx, client, objs, opts.Apply.Owner)
	for _, n := range notes {
		p.emit(event.Event{Type: event.Warning, Message: n})
	}
	p.opts.Apply.Scaled = scaled
	err := p.preflight(ctx)
	p.Checked.Duration = time.Since(p.begun)
	return p, err
}

// Run deploys the plan, phase by phase, until the last phase is ready or
// one fails. ctx's deadline bounds the whole deploy. The Result covers
// every object, including those a failure kept from being applied; the error
// is a *Error naming the phase and stage that failed.
func (p *Plan) Run(ctx context.Context) (*Result, error) {
	// The CRDs of the first phase define these kinds: wait for them to be
	// served rather than fail when discovery lags behind.
	for gk, d := range object.DefinedKinds(objsOf(p.phases)) {
		p.client.Mapper.Expect(gk, d.Versions...)
	}
	d := &deployer{Plan: p, applier: apply.New(p.client, p.opts.Apply), begun: time.Now(), result: &Result{}}
	err := d.run(ctx)
	d.result.Duration = time.Since(d.begun)
	return d.result, err
}

// Run prepares and runs a deploy of objs; with Apply.DryRun it only
// prepares, and the result is the dry run's.
func Run(ctx context.Context, client *kube.Client, objs []*unstructured.Unstructured, opts Options) (*Result, error) {
	plan, err := Prepare(ctx, client, objs, opts)
	if err != nil || opts.Apply.DryRun {
		return plan.Checked, err
	}
	return plan.Run(ctx)
}

func (p *Plan) emit(e event.Event) {
	if p.opts.OnEvent != nil {
		e.Elapsed = time.Since(p.begun)
		p.opts.OnEvent(e)
	}
}
