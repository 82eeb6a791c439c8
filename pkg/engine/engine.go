package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/prune"
	"github.com/kship/kship/pkg/readiness"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/validate"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Options says how to deploy. Each field is one decision of the user's;
// the engine derives the rest (inventory, namespaces, phases) from the
// target and the build.
type Options struct {
	// Build says how to build the target.
	Build build.Options
	// Validate, when set, is how the build is validated before anything
	// is written; errors stop the deploy. Its Source and Environment are
	// filled in by the engine.
	Validate *validate.Options
	// Cluster names the kubeconfig and context to deploy with; the guard
	// checks they are the environment's.
	Cluster Cluster

	// DryRun has the API server check every object, writing nothing.
	DryRun bool
	// Force takes fields another field manager owns.
	Force bool
	// Recreate deletes and re-creates objects whose immutable fields
	// changed (Jobs always are).
	Recreate bool
	// Concurrency is the number of applies in flight at once (0: the default).
	Concurrency int
	// Timeout bounds each apply-and-wait (the deploy, and a rollback after
	// it): not the wait for the lock, nor the prune and bookkeeping.
	Timeout time.Duration

	// Prune deletes members that left the build, after the rollout is ready.
	Prune bool
	// PruneTimeout bounds the prune: objects whose deletion is held up (a
	// finalizer that never clears) are reported, not waited for. 0 means
	// half of Timeout, at least DefaultPruneTimeout.
	PruneTimeout time.Duration
	// MaxPruneShare and AllowMassPrune guard against deleting too much.
	MaxPruneShare  float64
	AllowMassPrune bool
	// Adopt takes over objects that belong to another ApplySet.
	Adopt bool
	// AllowMove deploys an environment to a namespace other than the one
	// an earlier inventory of it is in (see MovedError).
	AllowMove bool
	// RollbackOnFailure re-applies the last good deploy when this one fails.
	RollbackOnFailure bool

	// LockWait is how long to wait for another deploy of the environment
	// to finish; LockTTL how long the lock outlives a deploy that was
	// killed (0: DefaultLockTTL).
	LockWait, LockTTL time.Duration
	// By is who deploys, as the history and the lock name it (default:
	// DefaultBy()).
	By string
	// OnEvent, when set, receives the deploy's progress, one event at a
	// time: the phases', the lock's, the prune's and the rollback's.
	OnEvent event.Func
}

// Defaults of the options.
const (
	// DefaultPruneTimeout is the least time a prune gets by default.
	DefaultPruneTimeout = 30 * time.Second
	// DefaultConcurrency is how many applies are in flight at once.
	DefaultConcurrency = apply.DefaultConcurrency
	// DefaultLockTTL is how long the lock outlives a deploy that was killed.
	DefaultLockTTL = lock.DefaultTTL
	// DefaultMaxPruneShare is the share of the managed objects a deploy may
	// prune without AllowMassPrune.
	DefaultMaxPruneShare = prune.DefaultMaxShare
)

// Cluster names the kubeconfig and the context in it to use.
type Cluster struct {
	// Kubeconfig is the file; "" means $KUBECONFIG or ~/.kube/config.
	Kubeconfig string
	// KubeconfigData, when not nil, is the kubeconfig itself (decrypted in
	// memory), used instead of Kubeconfig.
	KubeconfigData []byte
	// Context is the context; "" means the kubeconfig's current one.
	Context string
}

func (c Cluster) kube() kube.Options {
	return kube.Options{Kubeconfig: c.Kubeconfig, KubeconfigData: c.KubeconfigData, Context: c.Context}
}

// DefaultBy names who deploys when Options.By is not set: the CI job's URL
// when there is one, else user@host.
func DefaultBy() string { return lock.DefaultHolder() }

// Result is what a deploy did.
type Result struct {
	Revision int
	Deploy   *deploy.Result
	// Pruned are the objects deleted; WouldPrune what a dry run would delete.
	Pruned     []object.Ref
	WouldPrune []object.Ref
	// KeptFromPrune are members not in the build that stayed, with why.
	KeptFromPrune []prune.Kept
	// Terminating are pruned objects still being deleted when the prune's
	// time was up (held by a finalizer): they stay members until they go.
	Terminating []object.Ref
	// Rollback is what the automatic rollback after a failure did, nil when
	// none was asked for.
	Rollback *RollbackReport
	// NamespaceCreated is set when the deploy created the environment's
	// namespace before its first phase (to hold its lock and inventory).
	NamespaceCreated bool
}

// Deploy builds t, validates it, connects to t's cluster, and deploys it:
// under the environment's lock, it records its intent in the inventory,
// applies the phases and waits for each, prunes what left the build, and
// saves the revision for rollback. On failure the error says which step
// failed, and its type carries the exit code (see exitcode.Of); a
// rollback's outcome is on the Result and in the events.
func Deploy(ctx context.Context, t *Target, opts Options) (*Result, error) {
	p, err := Prepare(ctx, t, opts)
	if err != nil {
		return p.Result(), err
	}
	return p.Deploy(ctx)
}

// Prepared is a deploy whose steps before the first write are done: the
// target is built, validated, its cluster guarded and connected. A deploy
// to several clusters prepares each before it writes to any.
type Prepared struct {
	r    *runner
	objs []*unstructured.Unstructured
}

// Prepare builds t, validates it and connects to its cluster, writing
// nothing. The Prepared it returns is never nil.
func Prepare(ctx context.Context, t *Target, opts Options) (*Prepared, error) {
	r := newRunner(t, opts)
	p := &Prepared{r: r}
	objs, err := r.build()
	if err != nil {
		return p, err
	}
	if err := r.validate(objs); err != nil {
		return p, err
	}
	if err := r.connect(ctx); err != nil {
		return p, err
	}
	if p.objs, err = r.asDeployed(ctx, objs); err != nil {
		return p, err
	}
	if !opts.DryRun {
		// A read: refused here, no cluster of several is written to.
		if err := r.checkMoved(ctx); err != nil {
			return p, r.interrupted(ctx, err)
		}
	}
	return p, nil
}

// Result is what the deploy has done so far.
func (p *Prepared) Result() *Result { return p.r.res }

// Deploy runs the prepared deploy (see Deploy); call it once.
func (p *Prepared) Deploy(ctx context.Context) (*Result, error) {
	begun, images := time.Now(), p.r.images // a rollback changes r.images
	res, err := p.deploy(ctx)
	r := p.r
	done := event.Event{Type: event.DeployDone, Target: r.target.Name(), DryRun: r.opts.DryRun, Revision: res.Revision,
		By: r.opts.By, Images: images, Elapsed: time.Since(begun)}
	if err != nil {
		done.Error, done.Cause = err.Error(), rootCause(res)
	}
	r.emit(done)
	return res, err
}

func (p *Prepared) deploy(ctx context.Context) (*Result, error) {
	r, objs, opts, t := p.r, p.objs, p.r.opts, p.r.target
	r.emit(event.Event{Type: event.DeployStarted, Target: t.Name(), Objects: len(objs), DryRun: opts.DryRun,
		Context: r.client.Context, Server: r.client.Server, By: opts.By, Images: r.images})
	if opts.DryRun {
		return r.res, r.interrupted(ctx, r.dryRun(ctx, objs))
	}
	if err := r.ensureNamespace(ctx, objs); err != nil {
		return r.res, r.interrupted(ctx, err)
	}
	locked, release, err := r.lock(ctx)
	if err != nil {
		return r.res, r.interrupted(ctx, err)
	}
	defer release()
	err = r.underLock(locked, objs)
	if r.res.NamespaceCreated && r.res.Deploy != nil {
		markCreated(r.res.Deploy, r.namespace)
	}
	return r.res, r.interrupted(ctx, r.lostLock(locked, err))
}

type runner struct {
	opts   Options
	target *Target
	// env and namespace name the environment's inventory and lock, and
	// where they live; project is recorded on the inventory (see asDeployed).
	env, namespace, project string
	images                  []string
	origins                 build.Origins
	// base is the client the lock was taken with; client is fenced by the
	// lock once it is held.
	base   *kube.Client
	client *kube.Client
	inv    *inventory.Inventory
	res    *Result
	held   *lock.Held
	// unlisted are kinds this identity may not list (see planFor).
	unlisted map[schema.GroupKind]bool
}

// newRunner is the runner of a deploy or rollback of t: who deploys
// defaulted, and every event tagged with t's cluster when t is one of
// several.
func newRunner(t *Target, opts Options) *runner {
	if opts.By == "" {
		opts.By = DefaultBy()
	}
	if c, f := t.Cluster(), opts.OnEvent; c != "" && f != nil {
		opts.OnEvent = func(e event.Event) {
			e.Cluster = c
			f(e)
		}
	}
	return &runner{opts: opts, target: t, res: &Result{}}
}

func (r *runner) emit(e event.Event) { r.opts.OnEvent.Emit(e) }

// deployOptions is how the phases apply and wait.
func (r *runner) deployOptions() deploy.Options {
	a := apply.Options{Force: r.opts.Force, DryRun: r.opts.DryRun, Recreate: r.opts.Recreate,
		Concurrency: r.opts.Concurrency, Adopt: r.opts.Adopt}
	r.withholding(&a)
	return deploy.Options{
		Apply:     a,
		OnEvent:   r.opts.OnEvent,
		TimeoutOf: r.timeouts(),
		Rules:     r.rules(),
	}
}

// rules are the readiness rules objects are judged by: kship.yaml's, and
// the built-in ones.
func (r *runner) rules() status.Rules {
	if c := r.target.Config; c != nil && c.Rules() != nil {
		return c.Rules()
	}
	return readiness.Builtins()
}

// underLock is the deploy once the lock is held: each step a function, in
// order. A failed rollout is recorded, and rolled back when asked.
func (r *runner) underLock(ctx context.Context, objs []*unstructured.Unstructured) error {
	state, err := r.load(ctx)
	if err != nil {
		return err
	}
	if err := r.checkPrune(ctx, state, objs); err != nil {
		return err
	}
	rev := state.Next()
	labelled := stampPostDeploy(r.inv.Label(objs), rev)
	plan, err := r.prepare(ctx, labelled)
	if err != nil {
		return err
	}
	r.res.Revision = rev
	before := maps.Clone(state.Members)
	if err := r.recordIntent(ctx, state, rev, labelled); err != nil {
		return err
	}
	res, deployErr := r.applyAndWait(ctx, plan)
	r.res.Deploy = res
	if err := r.lost(ctx); err != nil {
		return err // nothing more is written: another deploy may own the environment
	}
	if deployErr != nil {
		state.Narrow(remaining(before, state.Members, res), r.namespace)
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, 0)
		// A timeout rolls back too; an interruption (signal) does not.
		if r.opts.RollbackOnFailure {
			r.rollbackAfter(ctx, state, rev, res)
			if r.res.Rollback.Outcome == RollbackFailed {
				return &RollbackFailedError{Err: deployErr, Rollback: r.res.Rollback}
			}
		}
		return deployErr
	}
	if err := r.pruneAfter(ctx, state, labelled); err != nil {
		r.record(ctx, state, rev, inventory.OutcomeFailed, false, 0)
		return err
	}
	return r.save(ctx, state, rev, labelled, inventory.OutcomeReady, 0)
}

// load reads the inventory, and closes the record of a deploy that stopped
// without saying how it ended: this one holds the lock, so that one is gone.
func (r *runner) load(ctx context.Context) (*inventory.State, error) {
	state, err := r.inv.Load(ctx)
	if err != nil {
		return nil, &StepError{Step: "inventory", Err: err}
	}
	for i := range state.History {
		if h := &state.History[i]; h.Outcome == inventory.OutcomeInProgress {
			h.Outcome = inventory.OutcomeInterrupted
			state.Add(*h)
		}
	}
	return state, nil
}

// prepare checks the deploy with the server before anything is written.
func (r *runner) prepare(ctx context.Context, objs []*unstructured.Unstructured) (*deploy.Plan, error) {
	opts := r.deployOptions()
	opts.Apply.Owner = r.inv.ID
	opts.BeforePhase = func(string) error {
		if r.held == nil {
			return nil
		}
		return r.held.Valid()
	}
	plan, err := deploy.Prepare(ctx, r.client, objs, opts)
	if err != nil {
		r.res.Deploy = plan.Checked
	}
	return plan, err
}

// recordIntent records, before any member is applied, where the new
// members will be and that revision rev is in progress: a deploy killed
// half-way never loses track of an object.
func (r *runner) recordIntent(ctx context.Context, state *inventory.State, rev int, objs []*unstructured.Unstructured) error {
	state.Union(objs)
	if r.project != "" {
		state.Project = r.project
	}
	r.noteDroppedClusters(state)
	state.Add(inventory.Record{Revision: rev, Time: time.Now().UTC(), By: r.opts.By, Images: r.images,
		Outcome: inventory.OutcomeInProgress, Objects: len(objs)})
	if err := r.inv.Write(ctx, state); err != nil {
		return &StepError{Step: "inventory", Err: err}
	}
	return nil
}

// noteDroppedClusters records, for one of an environment's clusters, the
// clusters the environment lists, and says which of those recorded before
// are no longer listed: what was deployed there stays, as retiring a
// cluster is a deliberate act, not a prune.
func (r *runner) noteDroppedClusters(state *inventory.State) {
	env := r.target.Env
	if env == nil || env.Cluster == "" {
		return
	}
	for _, c := range state.Clusters {
		if !slices.Contains(env.Listed, c) {
			r.emit(event.Event{Type: event.Warning, Message: fmt.Sprintf(
				"cluster %q is no longer listed for environment %q in kship.yaml: kship does not prune a cluster dropped from the list, "+
					"so whatever it deployed there and was not deleted stays; to delete it, list the cluster again and run kship delete %s --cluster %s --yes",
				c, env.Name, env.Name, c)})
		}
	}
	state.Clusters = env.Listed
}

// applyAndWait runs one phased deploy within the timeout.
func (r *runner) applyAndWait(ctx context.Context, plan *deploy.Plan) (*deploy.Result, error) {
	if r.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.opts.Timeout)
		defer cancel()
	}
	return plan.Run(ctx)
}

// remaining is what a failed deploy leaves as members: the members from
// before, and what it applied, as intended recorded it.
func remaining(before, intended map[object.Ref]inventory.Recorded, res *deploy.Result) map[object.Ref]inventory.Recorded {
	out := map[object.Ref]inventory.Recorded{}
	for r, m := range before {
		out[r] = m
	}
	if res == nil {
		return out
	}
	for _, o := range res.Objects {
		if o.Action != "" && o.Error == "" {
			if _, ok := out[o.Ref]; !ok {
				out[o.Ref] = intended[o.Ref]
			}
		}
	}
	return out
}

// markCreated reports the environment's namespace as created: the deploy
// created it before its first phase, which then found it there.
func markCreated(res *deploy.Result, ns string) {
	for i := range res.Objects {
		o := &res.Objects[i]
		if o.Ref.Kind == "Namespace" && o.Ref.Group == "" && o.Ref.Name == ns && o.Action != "" {
			o.Action = apply.Created
		}
	}
}

// rootCause is the first reason in res that an object failed, in one line:
// its apply error, its pods' first problem, or its message; "" when none.
func rootCause(res *Result) string {
	if res == nil || res.Deploy == nil {
		return ""
	}
	for _, o := range res.Deploy.Objects {
		why := ""
		switch {
		case o.Error != "":
			why = o.Error
		case o.Ready() || o.Action == "":
			continue
		case len(o.Problems) > 0:
			why = o.Problems[0].String()
		case o.Status == status.Failed:
			why = o.Message
		default:
			continue
		}
		return o.Ref.String() + ": " + strings.Join(strings.Fields(why), " ")
	}
	return ""
}

// imagesOf lists the distinct container images of objs, for the history.
func imagesOf(objs []*unstructured.Unstructured) []string {
	set := map[string]bool{}
	for _, o := range objs {
		for _, path := range [][]string{{"spec", "template", "spec"}, {"spec", "jobTemplate", "spec", "template", "spec"}, {"spec"}} {
			for _, field := range []string{"containers", "initContainers"} {
				cs, _, _ := unstructured.NestedSlice(o.Object, append(path, field)...)
				for _, c := range cs {
					if m, ok := c.(map[string]any); ok {
						if img, ok := m["image"].(string); ok {
							set[img] = true
						}
					}
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
