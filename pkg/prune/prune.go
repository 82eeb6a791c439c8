// Package prune decides which objects of an environment's inventory are no
// longer in the build, and deletes them after the rollout is ready.
//
// It never touches objects outside the inventory, keeps objects annotated
// kship.dev/prune: disabled, and keeps old hashed ConfigMaps and Secrets
// while a ReplicaSet the Deployment retains still refers to them, so that
// `kubectl rollout undo` keeps working. A plan that would delete more than a
// set share of the inventory is refused unless allowed.
package prune

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// Annotation, set to Disabled on an object, keeps it from being pruned.
const (
	Annotation = "kship.dev/prune"
	Disabled   = "disabled"
)

// DefaultMaxShare is the share of the inventory a deploy may prune without
// --allow-mass-prune.
const DefaultMaxShare = 0.5

// Kept is a member that is not in the build but stays, and why.
type Kept struct {
	Ref    object.Ref `json:"object"`
	Reason string     `json:"reason"`
}

// Plan is what a prune would do.
type Plan struct {
	Delete []inventory.Member
	Kept   []Kept
	// Terminating are members not in the build that are already being
	// deleted: nothing to do but report them.
	Terminating []object.Ref
	// Members is the inventory's size before the prune.
	Members int
}

// Refs returns the objects the plan deletes.
func (p *Plan) Refs() []object.Ref {
	out := make([]object.Ref, len(p.Delete))
	for i, m := range p.Delete {
		out[i] = m.Ref
	}
	return out
}

// MassPruneError refuses a plan that deletes too much.
type MassPruneError struct {
	Delete, Members int
	MaxShare        float64
}

// ExitCode is 3: the build would remove too much; nothing was changed.
func (e *MassPruneError) ExitCode() int { return exitcode.Build }

func (e *MassPruneError) Error() string {
	return fmt.Sprintf("this deploy would prune %d of the %d objects kship manages here (more than %.0f%%): "+
		"if that is intended (e.g. moving the app), re-run with --allow-mass-prune; nothing was changed",
		e.Delete, e.Members, e.MaxShare*100)
}

// NewPlan compares members with the desired objects. used lists the
// ConfigMaps and Secrets that retained ReplicaSets refer to (see InUse).
func NewPlan(members []inventory.Member, desired []*unstructured.Unstructured, used map[object.Ref]string) *Plan {
	want := map[object.Ref]bool{}
	for _, o := range desired {
		want[object.RefOf(o)] = true
	}
	p := &Plan{Members: len(members)}
	for _, m := range members {
		switch {
		case want[m.Ref]:
		case m.Terminating:
			p.Terminating = append(p.Terminating, m.Ref)
		case m.Annotations[Annotation] == Disabled:
			p.Kept = append(p.Kept, Kept{Ref: m.Ref, Reason: Annotation + ": " + Disabled})
		case used[m.Ref] != "":
			p.Kept = append(p.Kept, Kept{Ref: m.Ref, Reason: used[m.Ref]})
		default:
			p.Delete = append(p.Delete, m)
		}
	}
	return p
}

// Check refuses a plan that deletes more than maxShare of the inventory, or
// all of it.
func (p *Plan) Check(maxShare float64, allowMass bool) error {
	if allowMass || len(p.Delete) == 0 {
		return nil
	}
	if len(p.Delete) == p.Members || float64(len(p.Delete)) > maxShare*float64(p.Members) {
		return &MassPruneError{Delete: len(p.Delete), Members: p.Members, MaxShare: maxShare}
	}
	return nil
}

// Outcome is what a prune did.
type Outcome struct {
	// Deleted are the objects that are gone.
	Deleted []object.Ref
	// Terminating are objects whose deletion was accepted but that were
	// still there when ctx ended (held by a finalizer).
	Terminating []object.Ref
	// Skipped are objects left alone because they changed since they were
	// listed (another set may have adopted them), with why.
	Skipped []Kept
}

// Execute deletes the plan's objects, workloads before what they use, and
// waits until each is gone or ctx ends. Each deletion is conditional on the
// object being the one listed (same UID and resourceVersion): an object
// that changed meanwhile, relabelled by another deploy say, is left alone.
// Objects still terminating when ctx ends are reported, not an error.
func Execute(ctx context.Context, client *kube.Client, p *Plan) (Outcome, error) {
	byRank := map[int][]inventory.Member{}
	for _, m := range p.Delete {
		byRank[rank(m)] = append(byRank[rank(m)], m)
	}
	ranks := make([]int, 0, len(byRank))
	for r := range byRank {
		ranks = append(ranks, r)
	}
	sort.Ints(ranks)
	var out Outcome
	for i, r := range ranks {
		batch := byRank[r]
		results := make([]error, len(batch))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(16)
		for j, m := range batch {
			g.Go(func() error {
				results[j] = deleteMember(gctx, client.Dynamic.Resource(m.Resource).Namespace(m.Ref.Namespace), m)
				return nil
			})
		}
		_ = g.Wait()
		var errs []error
		for j, m := range batch {
			err := results[j]
			var changed *apply.ChangedError
			switch {
			case err == nil:
				out.Deleted = append(out.Deleted, m.Ref)
			case errors.As(err, &changed):
				out.Skipped = append(out.Skipped, Kept{Ref: m.Ref, Reason: "since kship listed it, another deploy took it over or it was recreated"})
			case errors.Is(err, apply.ErrStillThere) && ctx.Err() != nil:
				out.Terminating = append(out.Terminating, m.Ref)
			default:
				errs = append(errs, fmt.Errorf("%s: prune failed: %w", m.Ref, err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return out, err
		}
		if ctx.Err() != nil {
			// The time is up: what a later rank would delete waits for the next deploy.
			for _, r := range ranks[i+1:] {
				for _, m := range byRank[r] {
					out.Skipped = append(out.Skipped, Kept{Ref: m.Ref, Reason: "the prune's time was up before its turn; the next deploy prunes it"})
				}
			}
			return out, nil
		}
	}
	return out, nil
}

// deleteMember deletes m if it is still the object listed. A newer
// resourceVersion alone does not make it another's: a controller writing
// its status changes it too. So on a conflict, m is read again and deleted
// at its new version if it is the same object, still part of the same set;
// an object relabelled or recreated meanwhile is left alone.
func deleteMember(ctx context.Context, ri dynamic.ResourceInterface, m inventory.Member) error {
	rv := m.ResourceVersion
	for attempt := 0; ; attempt++ {
		err := apply.DeleteAndWait(ctx, ri, m.Ref.Name, &metav1.Preconditions{UID: ptr(types.UID(m.UID)), ResourceVersion: ptr(rv)})
		var changed *apply.ChangedError
		if !errors.As(err, &changed) || attempt == 2 {
			return err
		}
		live, getErr := ri.Get(ctx, m.Ref.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(getErr):
			return nil
		case getErr != nil:
			return err
		case string(live.GetUID()) != m.UID, live.GetLabels()[inventory.LabelPartOf] != m.PartOf:
			return err
		}
		rv = live.GetResourceVersion()
	}
}

func ptr[T any](v T) *T { return &v }

// rank orders deletion in the reverse of the deploy's phases: post-deploy
// Jobs, workloads, then pre-deploy Jobs, then configuration (Services included), then
// namespaces and CRDs.
func rank(m inventory.Member) int {
	return -deploy.Rank(m.Ref.GroupKind(), m.Annotations)
}
