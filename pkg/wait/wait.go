package wait

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Options says how to wait.
type Options struct {
	// OnUpdate, when set, is called (from one goroutine at a time) each time an
	// object's status or message changes.
	OnUpdate func(Update)
	// LogLines is how many log lines to keep for a failed container or a
	// finished Job; 0 means 20.
	LogLines int64
	// JobLogs fetches the logs of Jobs that finish, failed or not.
	JobLogs bool
	// TimeoutOf, when set, gives an object's own timeout, and what set it
	// (for the message when it fires): an object not settled that long
	// after the wait began fails, whatever time the context leaves. 0 means
	// none of its own.
	TimeoutOf func(*unstructured.Unstructured) (time.Duration, string)
	// Rules, when set, judge the kinds they have a rule for (kship.yaml's
	// readiness rules) in place of the built-in judgement.
	Rules status.Rules
}

// ErrTimeout is returned, wrapped, when the context's deadline passes before
// every object is ready.
var ErrTimeout = errors.New("timed out waiting for the rollout")

// FailedError says that objects failed; their Outcomes say why.
type FailedError struct{ Refs []object.Ref }

func (e *FailedError) Error() string {
	names := make([]string, len(e.Refs))
	for i, r := range e.Refs {
		names[i] = r.String()
	}
	if len(names) == 1 {
		return names[0] + " failed (the summary says why)"
	}
	return fmt.Sprintf("%d objects failed (the summary says why): %s", len(names), strings.Join(names, ", "))
}

// Wait watches objs (as applied) until all are settled (Current, or Unknown:
// a custom resource kship cannot judge), one fails, or ctx ends. It returns
// an Outcome per object, in the order given. The error is nil when all are
// settled, a *FailedError when one failed, and wraps ErrTimeout (or ctx's
// error) when time ran out.
func Wait(ctx context.Context, client *kube.Client, objs []*unstructured.Unstructured, opts Options) ([]Outcome, error) {
	if opts.LogLines == 0 {
		opts.LogLines = 20
	}
	w, err := newWatcher(client, objs, opts)
	if err != nil {
		return nil, err
	}
	defer w.stop()
	if err := w.start(ctx); err != nil {
		return nil, err
	}
	err = w.run(ctx)
	return w.finish(context.WithoutCancel(ctx), err), err
}

// watcher holds the informers and the latest judgement of every target.
type watcher struct {
	client  *kube.Client
	opts    Options
	targets []*tracked
	byRef   map[object.Ref]*tracked
	sources *sources
	begun   time.Time
	changed chan struct{}
}

// tracked is one object being waited on.
type tracked struct {
	ref     object.Ref
	obj     *unstructured.Unstructured
	outcome Outcome
	done    bool
	// timeout, when not 0, is the object's own, set by timeoutBy.
	timeout   time.Duration
	timeoutBy string
}

func newWatcher(client *kube.Client, objs []*unstructured.Unstructured, opts Options) (*watcher, error) {
	w := &watcher{client: client, opts: opts, byRef: map[object.Ref]*tracked{}, changed: make(chan struct{}, 1)}
	for _, o := range objs {
		t := &tracked{ref: object.RefOf(o), obj: o}
		t.outcome = Outcome{Ref: t.ref, Status: status.InProgress}
		if opts.TimeoutOf != nil {
			t.timeout, t.timeoutBy = opts.TimeoutOf(o)
		}
		// Nothing reconciles a static kind: the applied object is the final
		// word, and a watch of every ConfigMap in the namespace is saved.
		// A built-in object the apply left Current (unchanged and ready, a
		// new Namespace) needs no watch either. A custom resource does: its
		// controller may not have written a status yet.
		gk := o.GroupVersionKind().GroupKind()
		ruled := opts.Rules != nil && opts.Rules.Has(gk.Group, gk.Kind)
		if r := status.Compute(o); !ruled && (status.Static(gk) || (r.Status == status.Current && status.BuiltIn(gk.Group))) {
			t.outcome.Status, t.outcome.Message, t.done = r.Status, r.Message, true
		}
		w.targets = append(w.targets, t)
		w.byRef[t.ref] = t
	}
	return w, nil
}

func (w *watcher) start(ctx context.Context) error {
	w.begun = time.Now()
	s, err := startSources(ctx, w.client, w.targets, w.poke)
	if err != nil {
		return err
	}
	w.sources = s
	return nil
}

func (w *watcher) stop() {
	if w.sources != nil {
		w.sources.stop()
	}
}

// poke wakes the loop; events arriving while it works fold into one pass.
func (w *watcher) poke() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *watcher) run(ctx context.Context) error {
	for {
		if done, failed := w.evaluate(); failed != nil {
			return failed
		} else if done {
			return nil
		}
		fire, stop := w.nextTimeout()
		select {
		case <-ctx.Done():
			stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%w after %s", ErrTimeout, time.Since(w.begun).Round(time.Second))
			}
			return ctx.Err()
		case <-w.changed:
		case <-fire:
		}
		stop()
	}
}

// nextTimeout returns a channel that fires when the soonest own timeout of
// an object still waited on is up (never, when there is none), and the
// function that stops its timer.
func (w *watcher) nextTimeout() (<-chan time.Time, func()) {
	var soonest time.Duration
	for _, t := range w.targets {
		if !t.done && t.timeout > 0 && (soonest == 0 || t.timeout < soonest) {
			soonest = t.timeout
		}
	}
	if soonest == 0 {
		return nil, func() {}
	}
	timer := time.NewTimer(max(time.Until(w.begun.Add(soonest)), 0))
	return timer.C, func() { timer.Stop() }
}

// evaluate judges every target not yet done; it reports whether all are
// settled, or the failure when one has failed.
func (w *watcher) evaluate() (bool, error) {
	all := true
	var failed []object.Ref
	for _, t := range w.targets {
		if !t.done {
			w.judge(t)
		}
		switch t.outcome.Status {
		case status.Current, status.Unknown:
		case status.Failed:
			failed = append(failed, t.ref)
			all = false
		default:
			all = false
		}
	}
	if len(failed) > 0 {
		return false, &FailedError{Refs: failed}
	}
	return all, nil
}

// judge recomputes one target from the informers' caches.
func (w *watcher) judge(t *tracked) {
	live := w.sources.get(t)
	r := status.ComputeWith(live, w.opts.Rules)
	next := Outcome{Ref: t.ref, Status: r.Status, Message: r.Message, Elapsed: time.Since(w.begun)}
	// Until its controller has seen the new spec, a workload's pods are the
	// old spec's: their troubles (the failed release a rollback replaces)
	// say nothing about this one.
	if live != nil && r.Status != status.Current && r.Status != status.Unknown && specObserved(live) {
		next.Problems = w.sources.problems(live)
		if r.Status == status.InProgress && status.IsFatal(next.Problems) {
			next.Status = status.Failed
		}
	}
	if live == nil {
		next.Status, next.Message = status.InProgress, "waiting for the object to appear"
	}
	if t.timeout > 0 && !next.Settled() && next.Status != status.Failed && next.Elapsed >= t.timeout {
		next.Status = status.Failed
		next.Message = fmt.Sprintf("not ready within %s, %s: %s", t.timeout, t.timeoutBy, next.Message)
		next.TimedOut = t.timeoutBy
	}
	if next.Settled() || next.Status == status.Failed {
		t.done = true
	}
	prev := t.outcome
	t.outcome = next
	if w.opts.OnUpdate != nil && (prev.Status != next.Status || prev.Message != next.Message || problemsChanged(prev.Problems, next.Problems)) {
		w.opts.OnUpdate(Update{Ref: t.ref, Status: next.Status, Message: next.Message, Problems: next.Problems, Elapsed: next.Elapsed})
	}
}

func problemsChanged(a, b []status.Problem) bool {
	if len(a) != len(b) {
		return true
	}
	for i := range a {
		if a[i].String() != b[i].String() {
			return true
		}
	}
	return false
}

// finish gathers what a person needs to see: logs of crashed containers and
// finished Jobs, readiness-probe messages for pods that never got ready, and
// mount failures of pods that never started.
func (w *watcher) finish(ctx context.Context, runErr error) []Outcome {
	out := make([]Outcome, len(w.targets))
	for i, t := range w.targets {
		o := t.outcome
		if !t.done {
			w.judge(t)
			o = t.outcome
			if live := w.sources.get(t); runErr != nil && o.Status == status.InProgress && live != nil {
				o.Problems = w.sources.explainNotReady(ctx, t.obj.GetNamespace(), o.Problems)
				o.Problems = w.sources.explainNotStarted(ctx, live, o.Problems)
			}
		}
		o.Logs = w.sources.logs(ctx, w.sources.get(t), o, w.opts)
		out[i] = o
	}
	return out
}

// specObserved reports whether live's controller has caught up with its
// spec: status.observedGeneration at least metadata.generation, or no
// observedGeneration at all (kinds whose controllers do not report one).
func specObserved(live *unstructured.Unstructured) bool {
	observed, found, err := unstructured.NestedInt64(live.Object, "status", "observedGeneration")
	if !found || err != nil {
		return true
	}
	return observed >= live.GetGeneration()
}
