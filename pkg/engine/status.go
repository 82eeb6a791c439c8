package engine

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StatusReport is the health of what kship deployed to an environment.
type StatusReport struct {
	Environment string             `json:"environment"`
	Inventory   string             `json:"inventory"`
	LastDeploy  *inventory.Record  `json:"lastDeploy,omitempty"`
	History     []inventory.Record `json:"history,omitempty"`
	Lock        *lock.Info         `json:"lock,omitempty"`
	Objects     []ObjectStatus     `json:"objects"`
	// Unlisted are kinds this identity may not list, with what to grant.
	Unlisted []string `json:"unlisted,omitempty"`
}

// ObjectStatus is one member's state.
type ObjectStatus struct {
	Ref     object.Ref    `json:"object"`
	Status  status.Status `json:"status"`
	Message string        `json:"message,omitempty"`
}

// Healthy reports whether the object is Current, or Unknown (a custom
// resource whose status kship cannot judge).
func (o ObjectStatus) Healthy() bool {
	return o.Status == status.Current || o.Status == status.Unknown
}

// readStatus reads the inventory of env (in namespace ns), the lock, and every
// member: those the last deploy recorded (so that one deleted by hand is
// NotFound) and those labelled as members (so that one a killed deploy
// applied is seen). A Job the last good deploy ran that deleted itself by
// its ttlSecondsAfterFinished is Current, not missing. A deploy recorded as
// in progress whose lock is free or expired is reported as interrupted.
func readStatus(ctx context.Context, client *kube.Client, env, ns string, rules status.Rules) (*StatusReport, error) {
	inv := inventory.New(client, env, ns)
	state, err := inv.Load(ctx)
	if err != nil {
		return nil, err
	}
	rep := &StatusReport{Environment: env, Inventory: inv.String(), History: state.History, Objects: []ObjectStatus{}}
	if rep.Lock, err = lock.Current(ctx, client, ns, env); err != nil {
		return nil, fmt.Errorf("reading the deploy lock: %w", err)
	}
	if last := state.Last(); last != nil {
		l := *last
		if l.Outcome == inventory.OutcomeInProgress && (rep.Lock == nil || rep.Lock.Expired(time.Now())) {
			l.Outcome = inventory.OutcomeInterrupted
		}
		rep.LastDeploy = &l
	}
	members, unlisted, err := inv.Members(ctx, state)
	if err != nil {
		return nil, err
	}
	for _, u := range unlisted {
		rep.Unlisted = append(rep.Unlisted, fmt.Sprintf("%s: %s", u.GroupKind, u.Denied.Advice()))
	}
	good := state.LastGood() != nil && rep.LastDeploy != nil && rep.LastDeploy.Revision == state.LastGood().Revision
	found := map[object.Ref]bool{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, m := range members {
		found[m.Ref] = true
		g.Go(func() error {
			live, err := client.Dynamic.Resource(m.Resource).Namespace(m.Ref.Namespace).Get(gctx, m.Ref.Name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				live, err = nil, nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", m.Ref, err)
			}
			r := status.ComputeWith(live, rules)
			if state.Members[m.Ref].Ephemeral && good {
				switch r.Status {
				case status.Terminating:
					r.Status, r.Message = status.Current, "the Job finished and is deleting itself (ttlSecondsAfterFinished)"
				case status.NotFound: // listed, then gone by its TTL before the read
					r.Status, r.Message = status.Current, "the Job finished and deleted itself (ttlSecondsAfterFinished)"
				}
			}
			mu.Lock()
			rep.Objects = append(rep.Objects, ObjectStatus{Ref: m.Ref, Status: r.Status, Message: r.Message})
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for r, rec := range state.Members {
		if found[r] || unlistedKind(unlisted, r) {
			continue
		}
		s := missing(ctx, client, inv.ID, r)
		if s.Status == status.NotFound && rec.Ephemeral && good {
			s.Status, s.Message = status.Current, "the Job finished and deleted itself (ttlSecondsAfterFinished)"
		}
		rep.Objects = append(rep.Objects, s)
	}
	sort.Slice(rep.Objects, func(i, j int) bool { return rep.Objects[i].Ref.String() < rep.Objects[j].Ref.String() })
	return rep, nil
}

func unlistedKind(unlisted []inventory.Unlisted, r object.Ref) bool {
	for _, u := range unlisted {
		if u.GroupKind == r.GroupKind() {
			return true
		}
	}
	return false
}

// missing says what became of a member the last deploy recorded that is no
// longer labelled as one: deleted, or taken over by another set.
func missing(ctx context.Context, client *kube.Client, id string, r object.Ref) ObjectStatus {
	gone := ObjectStatus{Ref: r, Status: status.NotFound, Message: "recorded by the last deploy, but not in the cluster (deleted by hand?): the next deploy creates it again"}
	m, err := client.Mapper.Mapping(ctx, r.GroupKind())
	if err != nil {
		return gone
	}
	o, err := client.Metadata.Resource(m.Resource).Namespace(r.Namespace).Get(ctx, r.Name, metav1.GetOptions{})
	if err != nil {
		return gone
	}
	if owner := o.Labels[inventory.LabelPartOf]; owner != id {
		return ObjectStatus{Ref: r, Status: status.Failed, Message: fmt.Sprintf(
			"no longer this environment's: it belongs to another ApplySet (%s=%q), which took it over; a deploy here that still has it refuses it unless --adopt", inventory.LabelPartOf, owner)}
	}
	return gone
}
