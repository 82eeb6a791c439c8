package report

import (
	"encoding/json"
	"io"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/object"
)

// DocumentVersion is the version of Document this kship writes. Fields
// are only added within a version; a field renamed or removed makes a new
// one.
const DocumentVersion = 1

// Document is the -o json document of `kship deploy` and `kship rollback`:
// what tools read. It is kship's own type, written from the engine's
// result, so that the engine can change without changing it.
type Document struct {
	// Version is DocumentVersion.
	Version     int    `json:"version"`
	Environment string `json:"environment,omitempty"`
	// Outcome is "ready", "dry-run", "nothing-to-do", "usage-error",
	// "build-failed", "apply-failed", "not-ready", "rollback-failed" or
	// "interrupted"; for a cluster a deploy to several did not reach,
	// "not-attempted" (NotAttempted).
	Outcome string `json:"outcome"`
	// Error is the error the command ended with, "" when it succeeded.
	Error string `json:"error,omitempty"`
	// Revision is the deploy's number in the environment's history.
	Revision int  `json:"revision,omitempty"`
	DryRun   bool `json:"dryRun"`
	// Objects are the build's objects, in the order they were deployed.
	Objects []Object `json:"objects"`
	// DurationNanos is how long the phases took.
	DurationNanos int64 `json:"durationNanos"`
	// StoppedIn names the phase that failed, "" when none did.
	StoppedIn string `json:"stoppedIn,omitempty"`
	// Pruned are the objects the prune deleted; WouldPrune what a dry run
	// would delete; KeptFromPrune the members not in the build that stay.
	Pruned        []object.Ref `json:"pruned,omitempty"`
	WouldPrune    []object.Ref `json:"wouldPrune,omitempty"`
	KeptFromPrune []Kept       `json:"keptFromPrune,omitempty"`
	// Terminating are pruned objects still being deleted at the prune's end.
	Terminating []object.Ref `json:"terminating,omitempty"`
	// RolledBackTo is the revision a successful automatic rollback returned
	// to; Rollback says what the rollback did, whatever its outcome.
	RolledBackTo int          `json:"rolledBackTo,omitempty"`
	Rollback     *RollbackDoc `json:"rollback,omitempty"`
	// Clusters, for an environment that lists several clusters, has each
	// cluster's document (see NewClustersDocument); the top-level objects
	// are then empty.
	Clusters []ClusterDocument `json:"clusters,omitempty"`
}

// Object is what happened to one object.
type Object struct {
	Ref object.Ref `json:"object"`
	// Phase is the phase it was deployed in.
	Phase string `json:"phase"`
	// Action is what the apply did: created, configured, unchanged,
	// recreated; "" when it was not applied.
	Action apply.Action `json:"action,omitempty"`
	// Status is Current, InProgress, Failed, NotFound or Unknown.
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Problems are its pods' problems, most important first.
	Problems []Problem `json:"problems,omitempty"`
	// Logs are log lines worth showing, by "pod/container".
	Logs map[string][]string `json:"logs,omitempty"`
	// Error is why its apply failed.
	Error string `json:"error,omitempty"`
	// DurationNanos is the time from its phase's start until it was ready
	// (or failed).
	DurationNanos int64 `json:"durationNanos"`
	// TimedOut, when set, says that the object's own timeout fired and
	// what set it: its kship.dev/timeout annotation, or kship.yaml's
	// timeouts for its kind.
	TimedOut string `json:"timedOut,omitempty"`
}

// Problem is a reason a pod of an object is not ready.
type Problem struct {
	Pod           string `json:"pod"`
	Container     string `json:"container,omitempty"`
	InitContainer bool   `json:"initContainer,omitempty"`
	// Reason is a short CamelCase cause (ImagePullBackOff, OOMKilled...).
	Reason     string `json:"reason"`
	Message    string `json:"message,omitempty"`
	ExitCode   *int32 `json:"exitCode,omitempty"`
	ExitReason string `json:"exitReason,omitempty"`
	Restarts   int32  `json:"restarts,omitempty"`
	// Fatal says the problem cannot resolve itself (a bad image, a crash
	// loop): waiting longer will not help.
	Fatal bool `json:"fatal,omitempty"`
}

// Kept is a member that left the build but stays, and why.
type Kept struct {
	Ref    object.Ref `json:"object"`
	Reason string     `json:"reason"`
}

// RollbackDoc is what an automatic rollback, or `kship rollback`, did.
type RollbackDoc struct {
	// To is the revision it returned to, or tried to; 0 when none.
	To int `json:"to,omitempty"`
	// Revision is the rollback's own revision in the history.
	Revision int `json:"revision,omitempty"`
	// Outcome is "rolled-back", "failed" or "not-attempted".
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	// Mixed is set when a failed rollback applied part of the earlier
	// revision: the environment runs parts of both.
	Mixed bool `json:"mixedState,omitempty"`
	// Result is the rollback's own deploy.
	Result *RollbackResult `json:"result,omitempty"`
}

// RollbackResult is what a rollback's deploy did to each object.
type RollbackResult struct {
	DryRun        bool     `json:"dryRun"`
	Objects       []Object `json:"objects"`
	DurationNanos int64    `json:"durationNanos"`
	StoppedIn     string   `json:"stoppedIn,omitempty"`
}

// NewDocument is the document of a deploy of env that ended with outcome
// and err; res may be nil (a deploy that ended before it began).
func NewDocument(env, outcome string, res *engine.Result, err error) Document {
	doc := Document{Version: DocumentVersion, Environment: env, Outcome: outcome, Objects: []Object{}}
	if err != nil {
		doc.Error = err.Error()
	}
	if res == nil {
		return doc
	}
	doc.Revision, doc.Pruned, doc.WouldPrune, doc.Terminating = res.Revision, res.Pruned, res.WouldPrune, res.Terminating
	for _, k := range res.KeptFromPrune {
		doc.KeptFromPrune = append(doc.KeptFromPrune, Kept{Ref: k.Ref, Reason: k.Reason})
	}
	if d := res.Deploy; d != nil {
		doc.DryRun, doc.Objects, doc.DurationNanos, doc.StoppedIn = d.DryRun, objects(d), int64(d.Duration), d.StoppedIn
	}
	if rb := res.Rollback; rb != nil {
		doc.Rollback = &RollbackDoc{To: rb.To, Revision: rb.Revision, Outcome: rb.Outcome, Reason: rb.Reason, Mixed: rb.Mixed}
		if d := rb.Result; d != nil {
			doc.Rollback.Result = &RollbackResult{DryRun: d.DryRun, Objects: objects(d), DurationNanos: int64(d.Duration), StoppedIn: d.StoppedIn}
		}
		if rb.Succeeded() {
			doc.RolledBackTo = rb.To
		}
	}
	return doc
}

func objects(res *deploy.Result) []Object {
	out := make([]Object, 0, len(res.Objects))
	for _, o := range res.Objects {
		obj := Object{Ref: o.Ref, Phase: o.Phase, Action: o.Action, Status: string(o.Status), Message: o.Message,
			Logs: o.Logs, Error: o.Error, DurationNanos: int64(o.Duration), TimedOut: o.TimedOut}
		for _, p := range o.Problems {
			obj.Problems = append(obj.Problems, Problem{Pod: p.Pod, Container: p.Container, InitContainer: p.InitContainer,
				Reason: p.Reason, Message: p.Message, ExitCode: p.ExitCode, ExitReason: p.ExitReason, Restarts: p.Restarts, Fatal: p.Fatal})
		}
		out = append(out, obj)
	}
	return out
}

// JSON writes doc as indented JSON.
func JSON(w io.Writer, doc Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
