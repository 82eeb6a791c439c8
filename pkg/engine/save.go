package engine

import (
	"context"
	"time"

	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// save stores the manifests of a good deploy and records it.
func (r *runner) save(ctx context.Context, state *inventory.State, rev int, objs []*unstructured.Unstructured, outcome string, rollbackOf int) error {
	if err := r.lost(ctx); err != nil {
		return err
	}
	saved := true
	if err := r.inv.SaveRelease(ctx, rev, objs); err != nil {
		saved = false
		r.emit(event.Event{Type: event.SaveFailed, Revision: rev, Error: err.Error()})
	}
	if last := state.Last(); last != nil && last.Revision == rev {
		last.Saved = saved // counted among the releases to keep
	}
	keep := map[int]bool{}
	for i := len(state.History) - 1; i >= 0; i-- {
		h := &state.History[i]
		if h.Saved && len(keep) < inventory.KeepReleases {
			keep[h.Revision] = true
		} else {
			h.Saved = false // its manifests are forgotten below
		}
	}
	if err := r.inv.ForgetReleases(ctx, keep); err != nil {
		r.emit(event.Event{Type: event.SaveFailed, Error: "delete old saved revisions: " + err.Error()})
	}
	r.record(ctx, state, rev, outcome, saved, rollbackOf)
	return nil
}

// record writes revision rev's outcome, and the members as state has them.
// It goes on after an interruption (the outcome is worth keeping), but not
// once the lock is lost: the fenced client refuses it then.
func (r *runner) record(ctx context.Context, state *inventory.State, rev int, outcome string, saved bool, rollbackOf int) {
	rec := inventory.Record{Revision: rev, Time: time.Now().UTC(), By: r.opts.By, Images: r.images, Outcome: outcome, Saved: saved, RollbackOf: rollbackOf}
	for _, h := range state.History {
		if h.Revision == rev {
			rec.Objects, rec.Images = h.Objects, h.Images
		}
	}
	state.Add(rec)
	if err := r.inv.Write(kube.Cleanup(ctx), state); err != nil {
		r.emit(event.Event{Type: event.RecordFailed, Revision: rev, Error: err.Error()})
	}
}
