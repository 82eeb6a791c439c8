package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	"golang.org/x/sync/errgroup"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// FieldManager is the field manager kship applies as.
const FieldManager = "kship"

// LabelPartOf is the ApplySet label (KEP-3659) that names the set an object
// belongs to.
const LabelPartOf = "applyset.kubernetes.io/part-of"

// Options says how to apply.
type Options struct {
	// Force takes ownership of fields other managers own (--force-conflicts).
	Force bool
	// DryRun asks the API server to validate and default without persisting.
	DryRun bool
	// Recreate deletes and re-creates objects whose immutable fields changed.
	// Jobs are always recreated.
	Recreate bool
	// Concurrency bounds the requests in flight; 0 means DefaultConcurrency.
	Concurrency int
	// DefaultNamespace is given to namespaced objects that have none.
	DefaultNamespace string
	// Owner, when set, is the value of the ApplySet part-of label that the
	// objects carry: an object that exists with another set's label is
	// refused (an *OwnedError) unless Adopt is set.
	Owner string
	Adopt bool
	// Scaled are workloads that an autoscaler scales, with its name: when
	// they exist, spec.replicas is left out of the apply, so that the
	// autoscaler keeps its count (see replicas.go).
	Scaled map[object.Ref]string
	// Sensitive, when not nil, reports objects besides Secrets whose
	// errors are withheld as a Secret's are: those that hold a value the
	// build decrypted.
	Sensitive func(*unstructured.Unstructured) bool
	// Quoted, when not nil, reports whether an error's text quotes a value
	// the build decrypted: such an error is withheld whatever its object.
	Quoted func(text string) bool
	// Unchanged are objects that a dry run just found the apply would
	// leave as they are (Result.NoOp), each with the live object it read:
	// while an object's resourceVersion is still that one's, its apply is
	// not sent again, and it is reported Unchanged with that object.
	Unchanged map[object.Ref]*unstructured.Unstructured
}

// DefaultConcurrency is the number of applies in flight by default: enough to
// keep a 2-core API server busy without tripping its flow control.
const DefaultConcurrency = 32

// Applier applies objects to one cluster.
type Applier struct {
	client *kube.Client
	opts   Options

	mu      sync.Mutex
	parents map[string]string // ApplySet ID → its parent, by namespace/ID

	webhookOnce sync.Once
	validating  []admissionv1.ValidatingWebhookConfiguration
	mutating    []admissionv1.MutatingWebhookConfiguration
}

// New returns an Applier for client.
func New(client *kube.Client, opts Options) *Applier {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	return &Applier{client: client, opts: opts}
}

// target is one object with where it goes.
type target struct {
	obj *unstructured.Unstructured
	ref object.Ref
	ri  dynamic.ResourceInterface
	gvr schema.GroupVersionResource
}

// Apply applies objs concurrently and returns one Result per object, in the
// order given. It applies every object it can; the error joins the failures,
// each an *Error naming its object.
func (a *Applier) Apply(ctx context.Context, objs []*unstructured.Unstructured) ([]Result, error) {
	targets, err := a.resolve(ctx, objs)
	if err != nil {
		return nil, err
	}
	prior, err := a.prior(ctx, targets)
	if err != nil {
		return nil, err
	}
	began := metav1.NewTime(time.Now().Truncate(time.Second))
	results := make([]Result, len(targets))
	errs := make([]error, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(a.opts.Concurrency)
	for i, t := range targets {
		g.Go(func() error {
			r, err := a.applyOne(gctx, t, prior, began)
			results[i] = r
			if err != nil {
				errs[i] = &Error{Ref: t.ref, Err: err}
			}
			return nil
		})
	}
	_ = g.Wait()
	return results, errors.Join(errs...)
}

// Prepare returns copies of objs as they will be applied: namespaced objects
// without a namespace get the default one, cluster-scoped ones lose theirs.
// A copy has its own metadata and shares its other fields with its object
// (object.WithOwnMetadata).
// It fails, naming the objects, when a kind is unknown to the cluster or a
// namespace is missing.
func (a *Applier) Prepare(ctx context.Context, objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	targets, err := a.resolve(ctx, objs)
	out := make([]*unstructured.Unstructured, len(targets))
	for i, t := range targets {
		out[i] = t.obj
	}
	return out, err
}

// resolve maps each object to its resource, and gives namespaced objects
// without a namespace the default one.
func (a *Applier) resolve(ctx context.Context, objs []*unstructured.Unstructured) ([]target, error) {
	targets := make([]target, 0, len(objs))
	var errs []error
	for _, o := range objs {
		o = object.WithOwnMetadata(o)
		gvk := o.GroupVersionKind()
		m, err := a.client.Mapper.Mapping(ctx, gvk.GroupKind(), gvk.Version)
		if meta.IsNoMatchError(err) {
			errs = append(errs, &Error{Ref: object.RefOf(o), Err: fmt.Errorf("the cluster does not serve kind %s: add its CustomResourceDefinition to the build or install it first, or check apiVersion", gvk)})
			continue
		}
		if err != nil {
			errs = append(errs, &Error{Ref: object.RefOf(o), Err: fmt.Errorf("looking up kind %s in the cluster's API discovery: %w", gvk, err)})
			continue
		}
		var ri dynamic.ResourceInterface = a.client.Dynamic.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			if o.GetNamespace() == "" {
				if a.opts.DefaultNamespace == "" {
					errs = append(errs, &Error{Ref: object.RefOf(o), Err: errors.New("has no namespace: set one in the overlay (namespace:) or in kship.yaml")})
					continue
				}
				o.SetNamespace(a.opts.DefaultNamespace)
			}
			ri = a.client.Dynamic.Resource(m.Resource).Namespace(o.GetNamespace())
		} else {
			o.SetNamespace("")
		}
		targets = append(targets, target{obj: o, ref: object.RefOf(o), ri: ri, gvr: m.Resource})
	}
	return targets, errors.Join(errs...)
}

func (a *Applier) applyOne(ctx context.Context, t target, prior priorState, began metav1.Time) (Result, error) {
	before, exists := prior.get(t)
	res := Result{Ref: t.ref, Before: before.full}
	if exists && a.opts.Owner != "" && !a.opts.Adopt {
		if owner := before.labels[LabelPartOf]; owner != "" && owner != a.opts.Owner {
			return res, &OwnedError{Owner: owner, Parent: a.parentOf(ctx, t.obj.GetNamespace(), owner)}
		}
	}
	scaler, scaled := a.opts.Scaled[t.ref]
	// A handover of spec.replicas to an autoscaler is a change that a dry
	// run cannot show (see leaveReplicas).
	handover := scaled && exists && before.ownsReplicas
	if live := a.opts.Unchanged[t.ref]; live != nil && exists && !handover && !a.opts.DryRun && before.rv == live.GetResourceVersion() {
		// Nothing has written to it since the dry run found the apply a
		// no-op: sending it would change nothing.
		res.Action, res.Object = Unchanged, live
		return res, nil
	}
	if scaled && exists {
		var err error
		if t, err = a.leaveReplicas(ctx, t, before, scaler); err != nil {
			return res, err
		}
	}
	live, err := a.ssa(ctx, t)
	var imm *ImmutableError
	if errors.As(err, &imm) && (a.opts.Recreate || t.ref.GroupKind() == jobKind) {
		if a.opts.DryRun {
			// Say what a real run would do; the object is left alone. The
			// new object is still shown to the server (validation,
			// admission), as a create under another name.
			created, err := a.dryRunCreate(ctx, t)
			if err != nil {
				return res, err
			}
			created.SetName(t.ref.Name)
			res.Action, res.Object = Recreated, created
			return res, nil
		}
		if err := deleteForRecreate(ctx, t.ri, t.ref.Name); err != nil {
			return res, fmt.Errorf("recreating after a change to %v: %w", imm.Fields, err)
		}
		live, err = a.ssa(ctx, t)
		res.Action = Recreated
	}
	if err != nil {
		return res, err
	}
	if res.Action == "" {
		res.Action = prior.action(t, live, began)
	}
	if !a.opts.DryRun {
		// Nothing after a write (the wait, the report) reads who manages
		// which field, which is about half of what the server returns.
		live.SetManagedFields(nil)
	}
	res.Object = live
	return res, nil
}

var jobKind = schema.GroupKind{Group: "batch", Kind: "Job"}

// dryRunCreate has the server dry-run a create of t under a name it makes
// up: what a recreate would create, checked while the old object stays.
func (a *Applier) dryRunCreate(ctx context.Context, t target) (*unstructured.Unstructured, error) {
	o := t.obj.DeepCopy()
	o.SetGenerateName(t.ref.Name + "-")
	o.SetName("")
	created, err := t.ri.Create(ctx, o, metav1.CreateOptions{FieldManager: FieldManager, DryRun: []string{metav1.DryRunAll}})
	return created, a.explain(ctx, t, err)
}

func (a *Applier) ssa(ctx context.Context, t target) (*unstructured.Unstructured, error) {
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: a.opts.Force}
	if a.opts.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	live, err := t.ri.Apply(ctx, t.ref.Name, t.obj, opts)
	return live, a.explain(ctx, t, err)
}

// explain turns the server's answer to a write of t into kship's error:
// classified, an RBAC denial with the rule to grant, a webhook named by
// its configuration, and never a Secret's value or one the build decrypted.
func (a *Applier) explain(ctx context.Context, t target, err error) error {
	err = classify(err)
	if d, ok := kube.AsDenied(err); ok {
		err = &DeniedError{Denied: d}
	}
	err = a.explainWebhook(ctx, err)
	if err == nil {
		return nil
	}
	orig := err
	switch {
	case t.ref.GroupKind() == secretKind:
		err = redact(err, "Secret data")
	case a.opts.Quoted != nil && a.opts.Quoted(err.Error()),
		a.opts.Sensitive != nil && a.opts.Sensitive(t.obj):
		err = redact(err, "a decrypted value")
	}
	// What redact keeps (the fields, kship's own errors such as a conflict,
	// whose field path can hold a set's values) may still quote one: then
	// nothing of its text is kept.
	if a.opts.Quoted != nil && a.opts.Quoted(err.Error()) {
		err = withheldQuoting(orig, a.opts.Quoted)
	}
	return err
}

var secretKind = schema.GroupKind{Kind: "Secret"}
