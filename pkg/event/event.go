// Package event is the one stream of progress a kship command emits: what
// its deploy engine and each phase did, as typed events, for printers (the
// live terminal view, plain lines for CI, JSON lines for tools) to render.
//
// It holds types only; it never prints.
package event

import (
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/wait"
)

// Type says what an Event reports.
type Type string

// The event types. A phase emits PhaseStarted, then ObjectApplied and
// StatusChanged for its objects, then PhaseDone (none when it fails).
const (
	// DeployStarted: the build is checked and the cluster connected; the
	// deploy of Target's Objects to Context (at Server) begins.
	DeployStarted Type = "deploy-started"

	// DeployDone: the deploy of Target ended, at Revision, after Elapsed;
	// Error (and Cause, the first object's reason) say why when it failed.
	// A rollback after it has events of its own.
	DeployDone Type = "deploy-done"

	PhaseStarted  Type = "phase-started"
	ObjectApplied Type = "object-applied"
	StatusChanged Type = "status-changed"
	PhaseDone     Type = "phase-done"

	// LockWaiting: another deploy holds the lock (Holder, Since).
	LockWaiting Type = "lock-waiting"
	// LockAcquired: this deploy holds the lock (Holder).
	LockAcquired Type = "lock-acquired"
	// LockLost: the lock was taken over or not renewed in time (Error).
	LockLost Type = "lock-lost"

	// Pruned: Object was deleted.
	Pruned Type = "pruned"
	// PruneHeld: Object's deletion was accepted, but a finalizer holds it.
	PruneHeld Type = "prune-held"
	// Kept: Object left the build but stays (Reason).
	Kept Type = "kept"
	// PruneSkipped: Object was to be pruned but was left alone (Reason).
	PruneSkipped Type = "prune-skipped"

	// RollbackStarted: rolling back to Revision.
	RollbackStarted Type = "rollback-started"
	// RollbackDone: back at Revision.
	RollbackDone Type = "rollback-done"
	// RollbackFailed: the rollback to Revision failed (Error); Mixed says
	// whether part of it was applied.
	RollbackFailed Type = "rollback-failed"
	// RollbackSkipped: no rollback was done (Reason).
	RollbackSkipped Type = "rollback-skipped"

	// RecordFailed: the inventory could not record Revision (Error).
	RecordFailed Type = "record-failed"
	// SaveFailed: Revision could not be saved for rollback, or old saved
	// revisions not deleted (Error).
	SaveFailed Type = "save-failed"

	// PodFollowed: the logs of Pod, which appeared, are now followed.
	PodFollowed Type = "pod-followed"
	// PodGone: Pod was deleted; its logs end.
	PodGone Type = "pod-gone"
	// LogsFailed: the logs of Pod's Container could not be read (Error).
	LogsFailed Type = "logs-failed"
	// Warning is a line worth showing that no other type covers (Message).
	Warning Type = "warning"
)

// Event is one thing a command did. Which fields are set depends on Type.
type Event struct {
	Type Type
	// Cluster names the cluster the event is about, on every event of a
	// deploy to one of the clusters of an environment that lists several.
	Cluster string
	// Target, Context, Server and DryRun describe the deploy, for
	// DeployStarted.
	Target, Context, Server string
	DryRun                  bool
	// Phase is the phase an object or phase event belongs to.
	Phase string
	// Objects is the number of objects in the phase (PhaseStarted) or
	// the deploy (DeployStarted).
	Objects int
	// Applied is set for ObjectApplied.
	Applied *apply.Result
	// Update is set for StatusChanged.
	Update *wait.Update
	// Object is the object a prune event is about.
	Object object.Ref
	// Reason says why (Kept, RollbackSkipped).
	Reason string
	// Revision is the revision a rollback or record event is about.
	Revision int
	// Failed is the revision that failed, for rollback events.
	Failed int
	// Mixed is set for a RollbackFailed that applied part of its revision.
	Mixed bool
	// By and Deployed say who deployed Revision, and when (RollbackStarted).
	By       string
	Deployed time.Time
	// Holder and Since say who holds a lock, and since when.
	Holder string
	Since  time.Time
	// Error is what went wrong (DeployDone, LockLost, RollbackFailed,
	// RecordFailed, SaveFailed, LogsFailed).
	Error string
	// Cause is the root cause of a failed deploy, in one line: the first
	// failed object and its reason (DeployDone).
	Cause string
	// Images are the build's container images (DeployStarted, DeployDone).
	Images []string
	// Pod and Container name the pod and container a logs event is about
	// (the pod as NAMESPACE/POD when the logs span several namespaces).
	Pod, Container string
	// Message is set for Warning.
	Message string
	// Elapsed is the time since the deploy began, for phase events.
	Elapsed time.Duration
}

// Func receives events, one at a time; nil receives none.
type Func func(Event)

// Emit sends e to f, if f is set.
func (f Func) Emit(e Event) {
	if f != nil {
		f(e)
	}
}
