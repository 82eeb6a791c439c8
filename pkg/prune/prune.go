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
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
	Ref    apply.Ref `json:"object"`
	Reason string    `json:"reason"`
}

// Plan is what a prune would do.
type Plan struct {
	Delete []inventory.Member
	Kept   []Kept
	// Members is the inventory's size before the prune.
	Members int
}

// Refs returns the objects the plan deletes.
func (p *Plan) Refs() []apply.Ref {
	out := make([]apply.Ref, len(p.Delete))
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

func (e *MassPruneError) Error() string {
	return fmt.Sprintf("this deploy would prune %d of the %d objects kship manages here (more than %.0f%%): "+
		"if that is intended (e.g. moving the app), re-run with --allow-mass-prune; nothing was changed",
		e.Delete, e.Members, e.MaxShare*100)
}

// NewPlan compares members with the desired objects. used lists the
// ConfigMaps and Secrets that retained ReplicaSets refer to (see InUse).
func NewPlan(members []inventory.Member, desired []*unstructured.Unstructured, used map[apply.Ref]string) *Plan {
	want := map[apply.Ref]bool{}
	for _, o := range desired {
		want[apply.RefOf(o)] = true
	}
	p := &Plan{Members: len(members)}
	for _, m := range members {
		switch {
		case want[m.Ref] || m.Terminating:
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

// Execute deletes the plan's objects, workloads before what they use, and
// waits until each is gone. It returns the refs it deleted.
func Execute(ctx context.Context, client *kube.Client, p *Plan) ([]apply.Ref, error) {
	byRank := map[int][]inventory.Member{}
	for _, m := range p.Delete {
		byRank[rank(m.Ref)] = append(byRank[rank(m.Ref)], m)
	}
	ranks := make([]int, 0, len(byRank))
	for r := range byRank {
		ranks = append(ranks, r)
	}
	sort.Ints(ranks)
	var done []apply.Ref
	for _, r := range ranks {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(16)
		errs := make([]error, len(byRank[r]))
		for i, m := range byRank[r] {
			g.Go(func() error {
				ri := client.Dynamic.Resource(m.Resource).Namespace(m.Ref.Namespace)
				if err := apply.DeleteAndWait(gctx, ri, m.Ref.Name); err != nil {
					errs[i] = fmt.Errorf("%s: prune failed: %w", m.Ref, err)
				}
				return nil
			})
		}
		_ = g.Wait()
		for i, m := range byRank[r] {
			if errs[i] == nil {
				done = append(done, m.Ref)
			}
		}
		if err := errors.Join(errs...); err != nil {
			return done, err
		}
	}
	return done, nil
}

// rank orders deletion: workloads, then configuration, then namespaces and
// CRDs, the reverse of the deploy's phases.
func rank(r apply.Ref) int {
	switch {
	case r.Kind == "Namespace" && r.Group == "", r.Kind == "CustomResourceDefinition":
		return 2
	case r.Group == "" && (r.Kind == "ConfigMap" || r.Kind == "Secret" || r.Kind == "ServiceAccount" || r.Kind == "PersistentVolumeClaim"),
		r.Group == "rbac.authorization.k8s.io":
		return 1
	}
	return 0
}
