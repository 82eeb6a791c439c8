package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// PhasePreflight names the check before the first phase in errors and
// results: the server's dry run of every object.
const PhasePreflight = "preflight"

// preflight dry-runs every object the server can check, phase by phase,
// into p.Checked. Namespaces and CRDs come first: objects in a namespace the
// deploy creates, and of a kind whose CRD the deploy creates or changes, are
// listed as unchecked, as the server would judge them by what is there now.
func (p *Plan) preflight(ctx context.Context) error {
	opts := p.opts.Apply
	opts.DryRun = true
	applier := apply.New(p.client, opts)
	res := &Result{DryRun: p.opts.Apply.DryRun}
	p.Checked = res
	sk := &skips{newNamespaces: map[string]bool{}, newKinds: map[schema.GroupKind]string{},
		newVersions: map[schema.GroupVersionKind]string{}, changed: map[schema.GroupKind]bool{}}
	for gk, d := range object.DefinedKinds(objsOf(p.phases)) {
		if _, err := p.client.Mapper.Lookup(ctx, gk); err != nil {
			sk.newKinds[gk] = "kind " + gk.Kind + " is defined by a CRD this deploy creates"
			continue
		}
		for _, v := range d.Versions {
			if _, err := p.client.Mapper.Lookup(ctx, gk, v); err != nil {
				sk.newVersions[gk.WithVersion(v)] = fmt.Sprintf("version %s of kind %s is added by a CRD this deploy changes", v, gk.Kind)
			}
		}
	}
	var failed []error
	noop := &noops{objects: map[object.Ref]*unstructured.Unstructured{}}
	for _, ph := range p.phases {
		if p.opts.Apply.DryRun {
			p.emit(event.Event{Type: event.PhaseStarted, Phase: ph.Name, Objects: len(ph.Objects)})
		}
		send, skipped := sk.split(ph.Name, ph.Objects, sk.byKind)
		prepared, errs := prepare(ctx, applier, send)
		for _, e := range errs {
			res.Objects = append(res.Objects, ObjectResult{Ref: e.Ref, Phase: ph.Name, Error: e.Err.Error()})
			failed = append(failed, e)
		}
		send, more := sk.split(ph.Name, prepared, sk.byNamespace)
		skipped = append(skipped, more...)
		applied, err := applier.Apply(ctx, send)
		if applied == nil && err != nil {
			return p.stop(&Error{Phase: PhasePreflight, Stage: StageApply, Err: err})
		}
		if grouped := groupFailures(err); grouped != nil {
			err = grouped
		}
		byRef := errorsByRef(err)
		for _, r := range applied {
			or := ObjectResult{Ref: r.Ref, Phase: ph.Name, Action: r.Action}
			e := byRef[r.Ref]
			switch {
			case e != nil && sk.changed[r.Ref.GroupKind()]:
				// Judged by the CRD as it is, not as this deploy leaves it.
				or.Message = "not checked by the server: its CRD changes in this deploy, and the current one refuses it: " + firstLine(e.Error())
			case e != nil:
				or.Action, or.Error = "", rowText(e)
				failed = append(failed, &apply.Error{Ref: r.Ref, Err: e})
			default:
				sk.learn(r)
				noop.learn(r)
				if p.opts.Apply.DryRun {
					p.server[r.Ref] = r
				}
			}
			res.Objects = append(res.Objects, or)
			if p.opts.Apply.DryRun && or.Action != "" {
				p.emit(event.Event{Type: event.ObjectApplied, Phase: ph.Name, Applied: &apply.Result{Ref: r.Ref, Action: r.Action}})
			}
		}
		for _, s := range skipped {
			if p.opts.Apply.DryRun {
				p.emit(event.Event{Type: event.ObjectApplied, Phase: ph.Name, Applied: &apply.Result{Ref: s.Ref, Action: s.Action}})
			}
			res.Objects = append(res.Objects, s)
		}
		if p.opts.Apply.DryRun {
			p.emit(event.Event{Type: event.PhaseDone, Phase: ph.Name})
		}
	}
	if len(failed) > 0 {
		return p.stop(&Error{Phase: PhasePreflight, Stage: StageApply, Err: errors.Join(failed...)})
	}
	p.opts.Apply.Unchanged = noop.unsent()
	return nil
}

// noops collects the objects whose apply the dry run found a no-op, which
// the deploy then need not send again (apply.Options.Unchanged).
type noops struct {
	objects map[object.Ref]*unstructured.Unstructured
	// reshaped names an object the deploy changes that changes how the
	// server treats others (a CRD, a webhook, an API service): then the
	// dry run of the others, made before it changes, proves nothing.
	reshaped string
}

func (n *noops) learn(r apply.Result) {
	switch {
	case r.NoOp():
		n.objects[r.Ref] = r.Before
	case reshapes[r.Ref.GroupKind()] || reshapingGroups[r.Ref.Group] || strings.HasSuffix(r.Ref.Group, ".gatekeeper.sh"):
		n.reshaped = r.Ref.String()
	}
}

// unsent is the objects not to send again; none when the deploy changes
// how the server treats objects.
func (n *noops) unsent() map[object.Ref]*unstructured.Unstructured {
	if n.reshaped != "" {
		return nil
	}
	return n.objects
}

// reshapes are the kinds whose objects change how the API server
// validates, defaults, mutates or serves other objects. A Namespace is
// one: webhooks and policies select objects by their namespace's labels.
var reshapes = map[schema.GroupKind]bool{
	object.CRDKind:      true,
	{Kind: "Namespace"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
}

// stop ends a preflight that found errors: the objects it did not fault are
// listed as not applied.
func (p *Plan) stop(err *Error) error {
	res := p.Checked
	res.StoppedIn = PhasePreflight
	if res.DryRun {
		return err
	}
	listed := map[object.Ref]bool{}
	for i := range res.Objects {
		o := &res.Objects[i]
		listed[o.Ref] = true
		if o.Error == "" {
			o.Action, o.Status = "", ""
			o.Message = "not applied: the server refused other objects of this deploy in its dry run, so nothing was changed"
		}
	}
	for _, ph := range p.phases {
		for _, o := range ph.Objects {
			if r := object.RefOf(o); !listed[r] {
				res.Objects = append(res.Objects, ObjectResult{Ref: r, Phase: ph.Name,
					Message: "not applied: the server refused other objects of this deploy in its dry run, so nothing was changed"})
			}
		}
	}
	return err
}

// prepare defaults namespaces of objs, returning those that could be and
// the errors of the others.
func prepare(ctx context.Context, applier *apply.Applier, objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, []*apply.Error) {
	prepared, err := applier.Prepare(ctx, objs)
	var out []*apply.Error
	for ref, e := range errorsByRef(err) {
		out = append(out, &apply.Error{Ref: ref, Err: e})
	}
	if err != nil && len(out) == 0 {
		out = append(out, &apply.Error{Err: err})
	}
	return prepared, out
}

// errorsByRef splits a joined apply error into the cause of each object.
func errorsByRef(err error) map[object.Ref]error {
	out := map[object.Ref]error{}
	var list interface{ Unwrap() []error }
	errs := []error{err}
	if errors.As(err, &list) {
		errs = list.Unwrap()
	}
	for _, e := range errs {
		var ae *apply.Error
		if errors.As(e, &ae) {
			out[ae.Ref] = ae.Err
		}
	}
	return out
}

// skips knows what a dry run cannot ask the server about: objects in
// namespaces, and of kinds, that the same deploy creates (or, for kinds,
// changes) first.
type skips struct {
	newNamespaces map[string]bool
	newKinds      map[schema.GroupKind]string
	newVersions   map[schema.GroupVersionKind]string
	// changed are kinds whose CRD this deploy changes: their objects are
	// checked, but a refusal may be the old CRD's and does not count.
	changed map[schema.GroupKind]bool
}

// learn notes a Namespace or CRD that the deploy creates or changes.
func (sk *skips) learn(r apply.Result) {
	if r.Action == apply.Unchanged || r.Object == nil {
		return
	}
	switch r.Ref.GroupKind() {
	case schema.GroupKind{Kind: "Namespace"}:
		if r.Action == apply.Created {
			sk.newNamespaces[r.Ref.Name] = true
		}
	case object.CRDKind:
		for gk := range object.DefinedKinds([]*unstructured.Unstructured{r.Object}) {
			sk.changed[gk] = true
		}
	}
}

func (sk *skips) byKind(o *unstructured.Unstructured) string {
	if why := sk.newKinds[o.GroupVersionKind().GroupKind()]; why != "" {
		return why
	}
	return sk.newVersions[o.GroupVersionKind()]
}

func (sk *skips) byNamespace(o *unstructured.Unstructured) string {
	if ns := o.GetNamespace(); sk.newNamespaces[ns] {
		return fmt.Sprintf("namespace %s is created by this deploy", ns)
	}
	return ""
}

// split returns the objects why has nothing against, and unchecked results
// for the others.
func (sk *skips) split(phase string, objs []*unstructured.Unstructured, why func(*unstructured.Unstructured) string) ([]*unstructured.Unstructured, []ObjectResult) {
	var send []*unstructured.Unstructured
	var skipped []ObjectResult
	for _, o := range objs {
		reason := why(o)
		if reason == "" {
			send = append(send, o)
			continue
		}
		skipped = append(skipped, ObjectResult{Ref: object.RefOf(o), Phase: phase, Action: apply.Created,
			Message: "not checked by the server: " + reason})
	}
	return send, skipped
}

// reshapingGroups are the API groups of policy engines whose objects
// change what their webhooks admit (Kyverno, Kubewarden, jsPolicy;
// Gatekeeper's groups all end in .gatekeeper.sh).
var reshapingGroups = map[string]bool{"kyverno.io": true, "policies.kyverno.io": true, "policies.kubewarden.io": true, "policy.jspolicy.com": true}
