package deploy

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/wait"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// deployer runs a Plan's phases.
type deployer struct {
	*Plan
	applier *apply.Applier
	result  *Result
	begun   time.Time
	// deferred are objects applied in an earlier phase but waited for with
	// the workloads (PVCs).
	deferred []*unstructured.Unstructured
}

func (d *deployer) run(ctx context.Context) error {
	for i, p := range d.phases {
		if err := d.phase(ctx, p, i == len(d.phases)-1); err != nil {
			d.result.StoppedIn = p.Name
			for _, rest := range d.phases[i+1:] {
				for _, o := range rest.Objects {
					d.result.Objects = append(d.result.Objects, ObjectResult{Ref: object.RefOf(o), Phase: rest.Name,
						Message: "not applied: the deploy stopped in phase " + p.Name})
				}
			}
			return err
		}
	}
	return nil
}

func (d *deployer) phase(ctx context.Context, p Phase, last bool) error {
	if d.opts.BeforePhase != nil {
		if err := d.opts.BeforePhase(p.Name); err != nil {
			d.notApplied(p, "not applied: "+firstLine(err.Error()))
			return &Error{Phase: p.Name, Stage: StageApply, Err: err}
		}
	}
	d.emit(event.Event{Type: event.PhaseStarted, Phase: p.Name, Objects: len(p.Objects)})
	prepared, errs := prepare(ctx, d.applier, p.Objects)
	if len(errs) > 0 {
		// Nothing of a phase is applied unless all of it can be.
		failed := map[object.Ref]string{}
		var joined []error
		for _, e := range errs {
			failed[e.Ref] = e.Err.Error()
			joined = append(joined, e)
		}
		for _, o := range p.Objects {
			r := object.RefOf(o)
			or := ObjectResult{Ref: r, Phase: p.Name, Error: failed[r]}
			if or.Error == "" {
				or.Message = "not applied: other objects of this phase could not be"
			}
			d.result.Objects = append(d.result.Objects, or)
		}
		return &Error{Phase: p.Name, Stage: StageApply, Err: errors.Join(joined...)}
	}
	applied, applyErr := d.applier.Apply(ctx, prepared)
	if applied == nil && applyErr != nil {
		// Nothing was sent (e.g. listing what exists was forbidden).
		d.failAll(p.Name, prepared, applyErr)
		return &Error{Phase: p.Name, Stage: StageApply, Err: applyErr}
	}
	if grouped := groupFailures(applyErr); grouped != nil {
		applyErr = grouped // one line per cause; each row keeps its own
	}
	failed := errorsByRef(applyErr)
	ran := false
	var waitFor []*unstructured.Unstructured
	for _, r := range applied {
		or := ObjectResult{Ref: r.Ref, Phase: p.Name, Action: r.Action}
		if e := failed[r.Ref]; e != nil {
			or.Error = rowText(e)
		} else if r.Action != "" {
			d.emit(event.Event{Type: event.ObjectApplied, Phase: p.Name, Applied: &r})
			ran = ran || (r.Ref.GroupKind() == jobGK && r.Action != apply.Unchanged)
			if waitsInPhase(p.Name, r.Object) {
				waitFor = append(waitFor, r.Object)
			} else {
				d.deferred = append(d.deferred, r.Object)
			}
		}
		d.result.Objects = append(d.result.Objects, or)
	}
	if fromWorkloads(p.Name) || last || applyErr != nil {
		waitFor = append(waitFor, d.deferred...)
		d.deferred = nil
	}
	// What was applied is waited for even when other objects of the phase
	// failed: the summary then says where each one stands.
	outcomes, waitErr := wait.Wait(ctx, d.client, waitFor, wait.Options{
		JobLogs:   HookPhase(p.Name) && ran,
		TimeoutOf: d.opts.TimeoutOf,
		Rules:     d.opts.Rules,
		OnUpdate:  func(u wait.Update) { d.emit(event.Event{Type: event.StatusChanged, Phase: p.Name, Update: &u}) },
	})
	d.recordOutcomes(outcomes)
	if applyErr != nil {
		return &Error{Phase: p.Name, Stage: StageApply, Err: applyErr}
	}
	if waitErr != nil {
		return &Error{Phase: p.Name, Stage: StageWait, Err: waitErr}
	}
	if p.Name == PhaseNamespaces {
		// The CRDs are Established: forget the discovery read before they
		// were, so that their kinds can be mapped.
		d.client.Mapper.Reset()
	}
	d.emit(event.Event{Type: event.PhaseDone, Phase: p.Name})
	return nil
}

// notApplied records every object of a phase as not applied, with why.
func (d *deployer) notApplied(p Phase, why string) {
	for _, o := range p.Objects {
		d.result.Objects = append(d.result.Objects, ObjectResult{Ref: object.RefOf(o), Phase: p.Name, Message: why})
	}
}

// failAll records every object of a phase that could not be applied.
func (d *deployer) failAll(phase string, objs []*unstructured.Unstructured, err error) {
	for _, o := range objs {
		d.result.Objects = append(d.result.Objects, ObjectResult{Ref: object.RefOf(o), Phase: phase,
			Error: "not applied: " + firstLine(err.Error())})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// recordOutcomes copies wait outcomes onto the results of their objects.
func (d *deployer) recordOutcomes(outcomes []wait.Outcome) {
	index := map[object.Ref]int{}
	for i, r := range d.result.Objects {
		index[r.Ref] = i
	}
	for _, o := range outcomes {
		i, ok := index[o.Ref]
		if !ok {
			continue
		}
		r := &d.result.Objects[i]
		r.Status, r.Message, r.Problems, r.Logs, r.TimedOut = o.Status, o.Message, o.Problems, o.Logs, o.TimedOut
		if r.Action == apply.Unchanged && o.Ref.GroupKind() == jobGK && o.Ready() {
			r.Logs = nil // an earlier deploy's run, shown then
		}
		r.Duration = o.Elapsed
	}
}
