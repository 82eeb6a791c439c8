package deploy

import (
	"context"
	"strings"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/wait"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Options says how to deploy.
type Options struct {
	// Apply says how to apply; DryRun there makes the whole deploy a dry run
	// (server-side, nothing persisted, nothing waited for).
	Apply apply.Options
	// OnEvent, when set, receives progress, one event at a time.
	OnEvent func(Event)
}

// Run deploys objs, phase by phase, until the last phase is ready or one
// fails. ctx's deadline bounds the whole deploy. The Result covers every
// object, including those a failure kept from being applied; the error is a
// *Error naming the phase and stage that failed.
func Run(ctx context.Context, client *kube.Client, objs []*unstructured.Unstructured, opts Options) (*Result, error) {
	d := &deployer{client: client, opts: opts, applier: apply.New(client, opts.Apply), begun: time.Now()}
	d.result = &Result{DryRun: opts.Apply.DryRun}
	err := d.run(ctx, Phases(objs))
	d.result.Duration = time.Since(d.begun)
	return d.result, err
}

type deployer struct {
	client  *kube.Client
	opts    Options
	applier *apply.Applier
	result  *Result
	begun   time.Time
	// deferred are objects applied in an earlier phase but waited for with
	// the workloads (PVCs).
	deferred []*unstructured.Unstructured
	plan     *dryRunPlan
}

func (d *deployer) emit(e Event) {
	if d.opts.OnEvent != nil {
		e.Elapsed = time.Since(d.begun)
		d.opts.OnEvent(e)
	}
}

func (d *deployer) run(ctx context.Context, phases []Phase) error {
	if d.opts.Apply.DryRun {
		plan, err := planDryRun(ctx, d.client, phases)
		if err != nil {
			return &Error{Phase: PhaseNamespaces, Stage: StageApply, Err: err}
		}
		d.plan = plan
	}
	for i, p := range phases {
		if err := d.phase(ctx, p, i == len(phases)-1); err != nil {
			d.result.StoppedIn = p.Name
			for _, rest := range phases[i+1:] {
				for _, o := range rest.Objects {
					d.result.Objects = append(d.result.Objects, ObjectResult{Ref: apply.RefOf(o), Phase: rest.Name,
						Message: "not applied: the deploy stopped in phase " + p.Name})
				}
			}
			return err
		}
	}
	return nil
}

func (d *deployer) phase(ctx context.Context, p Phase, last bool) error {
	d.emit(Event{Type: PhaseStarted, Phase: p.Name, Objects: len(p.Objects)})
	objs, skipped := p.Objects, []ObjectResult(nil)
	if d.plan != nil {
		objs, skipped = d.plan.byKind(p.Name, objs)
	}
	prepared, err := d.applier.Prepare(objs)
	if err != nil {
		d.failAll(p.Name, objs, err)
		return &Error{Phase: p.Name, Stage: StageApply, Err: err}
	}
	if d.plan != nil {
		var more []ObjectResult
		prepared, more = d.plan.byNamespace(p.Name, prepared)
		skipped = append(skipped, more...)
	}
	applied, err := d.applier.Apply(ctx, prepared)
	if applied == nil && err != nil {
		// Nothing was sent (e.g. listing what exists was forbidden).
		d.failAll(p.Name, prepared, err)
		return &Error{Phase: p.Name, Stage: StageApply, Err: err}
	}
	first := len(d.result.Objects)
	for _, r := range applied {
		or := ObjectResult{Ref: r.Ref, Phase: p.Name, Action: r.Action}
		if r.Action != "" {
			d.emit(Event{Type: ObjectApplied, Phase: p.Name, Applied: &r})
		}
		d.result.Objects = append(d.result.Objects, or)
	}
	for _, s := range skipped {
		d.emit(Event{Type: ObjectApplied, Phase: p.Name, Applied: &apply.Result{Ref: s.Ref, Action: s.Action}})
		d.result.Objects = append(d.result.Objects, s)
	}
	if err != nil {
		if grouped := groupFailures(err); grouped != nil {
			d.recordApplyErrors(first, grouped)
			err = grouped
		}
		return &Error{Phase: p.Name, Stage: StageApply, Err: err}
	}
	if p.Name == PhaseNamespaces {
		d.client.ResetMapper() // the kinds of new CRDs can be mapped now
	}
	if d.opts.Apply.DryRun {
		d.emit(Event{Type: PhaseFinished, Phase: p.Name})
		return nil
	}
	var waitFor []*unstructured.Unstructured
	for _, r := range applied {
		if waitsInPhase(p.Name, r.Object) {
			waitFor = append(waitFor, r.Object)
		} else {
			d.deferred = append(d.deferred, r.Object)
		}
	}
	if last {
		waitFor = append(waitFor, d.deferred...)
	}
	outcomes, err := wait.Wait(ctx, d.client, waitFor, wait.Options{
		JobLogs:  p.Name == PhasePreDeploy,
		OnUpdate: func(u wait.Update) { d.emit(Event{Type: ObjectUpdate, Phase: p.Name, Update: &u}) },
	})
	d.recordOutcomes(outcomes)
	if err != nil {
		return &Error{Phase: p.Name, Stage: StageWait, Err: err}
	}
	d.emit(Event{Type: PhaseFinished, Phase: p.Name})
	return nil
}

// failAll records every object of a phase that could not be applied.
func (d *deployer) failAll(phase string, objs []*unstructured.Unstructured, err error) {
	for _, o := range objs {
		d.result.Objects = append(d.result.Objects, ObjectResult{Ref: apply.RefOf(o), Phase: phase,
			Error: "not applied: " + firstLine(err.Error())})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// recordApplyErrors puts each object's apply error on its result.
func (d *deployer) recordApplyErrors(first int, err *ApplyError) {
	for _, e := range err.Unwrap() {
		ae := e.(*apply.Error)
		for i := first; i < len(d.result.Objects); i++ {
			if d.result.Objects[i].Ref == ae.Ref {
				d.result.Objects[i].Error = rowText(ae.Err)
			}
		}
	}
}

// recordOutcomes copies wait outcomes onto the results of their objects.
func (d *deployer) recordOutcomes(outcomes []wait.Outcome) {
	index := map[apply.Ref]int{}
	for i, r := range d.result.Objects {
		index[r.Ref] = i
	}
	for _, o := range outcomes {
		i, ok := index[o.Ref]
		if !ok {
			continue
		}
		r := &d.result.Objects[i]
		r.Status, r.Message, r.Problems, r.Logs = o.Status, o.Message, o.Problems, o.Logs
		r.Duration = o.Elapsed
	}
}
