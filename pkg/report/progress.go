package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/status"
)

// Lines prints deploy events as plain timestamped lines, nothing redrawn:
// what CI logs want.
type Lines struct {
	W   io.Writer
	Now func() time.Time
	mu  sync.Mutex
}

// Event prints one event.
func (l *Lines) Event(e event.Event) {
	line := describe(e)
	if line == "" {
		return
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.W, "%s %s\n", now().UTC().Format("15:04:05.000"), line)
}

// describe is the one-line text of an event, "" for events not worth a
// line; an event of one of several clusters starts with the cluster's name.
func describe(e event.Event) string {
	line := describeEvent(e)
	if line != "" && e.Cluster != "" {
		return "[" + e.Cluster + "] " + line
	}
	return line
}

func describeEvent(e event.Event) string {
	switch e.Type {
	case event.PhaseStarted:
		return fmt.Sprintf("phase %s: applying %d object%s", e.Phase, e.Objects, plural(e.Objects))
	case event.ObjectApplied:
		return fmt.Sprintf("%s %s", e.Applied.Ref, e.Applied.Action)
	case event.StatusChanged:
		u := e.Update
		msg := u.Message
		if msg == "" {
			msg = string(u.Status)
		}
		if len(u.Problems) > 0 && u.Status != status.Current {
			msg += " (" + u.Problems[0].String() + ")"
		}
		return fmt.Sprintf("%s: %s", u.Ref, oneLine(msg))
	case event.PhaseDone:
		return fmt.Sprintf("phase %s: done", e.Phase)
	case event.Warning:
		return e.Message
	}
	return describeEngine(e)
}

// describeEngine is the text of the events around the phases: the lock's,
// the prune's, the rollback's and the bookkeeping's.
func describeEngine(e event.Event) string {
	switch e.Type {
	case event.DeployStarted:
		verb := "deploying"
		if e.DryRun {
			verb = "dry run of"
		}
		return fmt.Sprintf("%s %s (%d object%s) to context %q (%s)", verb, e.Target, e.Objects, plural(e.Objects), e.Context, e.Server)
	case event.LockWaiting:
		return fmt.Sprintf("waiting for the deploy lock, held by %s since %s", e.Holder, e.Since.Format(time.RFC3339))
	case event.LockLost:
		return "the deploy lock was lost: " + e.Error
	case event.Pruned:
		return fmt.Sprintf("%s pruned", e.Object)
	case event.PruneHeld:
		return fmt.Sprintf("%s is still being deleted (a finalizer holds it): kship does not wait for it, and checks again on the next deploy", e.Object)
	case event.PruneSkipped:
		return fmt.Sprintf("%s not pruned: %s", e.Object, e.Reason)
	case event.Kept:
		return fmt.Sprintf("%s kept: %s", e.Object, e.Reason)
	case event.RollbackSkipped:
		return "not rolling back: " + e.Reason
	case event.RollbackStarted:
		return fmt.Sprintf("rolling back to revision %d (deployed %s by %s)", e.Revision, e.Deployed.Format(time.RFC3339), e.By)
	case event.RollbackFailed:
		if e.Mixed {
			return fmt.Sprintf("rollback to revision %d failed: %s: the environment is in a mixed state, part revision %d, part revision %d", e.Revision, e.Error, e.Failed, e.Revision)
		}
		return fmt.Sprintf("rollback to revision %d failed: %s: it changed nothing; the environment runs the failed revision %d", e.Revision, e.Error, e.Failed)
	case event.RollbackDone:
		return fmt.Sprintf("rolled back to revision %d: revision %d failed, the environment runs revision %d again", e.Revision, e.Failed, e.Revision)
	case event.SaveFailed:
		if e.Revision == 0 {
			return "could not " + e.Error
		}
		return fmt.Sprintf("revision %d is deployed but could not be saved for rollback: %s", e.Revision, e.Error)
	case event.RecordFailed:
		return fmt.Sprintf("could not record revision %d in the inventory: %s", e.Revision, e.Error)
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Close does nothing: lines need no clean-up.
func (l *Lines) Close() {}
