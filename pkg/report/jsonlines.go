package report

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
)

// JSONLines prints each event as one JSON object on a line of its own, for
// tools to follow a deploy (kship deploy --progress=json). Every object has
// "time" (RFC 3339, UTC) and "type" (see package event); the other keys
// are the event's fields that are set.
type JSONLines struct {
	W   io.Writer
	Now func() time.Time
	mu  sync.Mutex
}

// jsonEvent is an event as JSONLines writes it.
type jsonEvent struct {
	Time     string        `json:"time"`
	Type     event.Type    `json:"type"`
	Cluster  string        `json:"cluster,omitempty"`
	Target   string        `json:"target,omitempty"`
	Context  string        `json:"context,omitempty"`
	Server   string        `json:"server,omitempty"`
	DryRun   bool          `json:"dryRun,omitempty"`
	Phase    string        `json:"phase,omitempty"`
	Objects  int           `json:"objects,omitempty"`
	Object   *object.Ref   `json:"object,omitempty"`
	Action   apply.Action  `json:"action,omitempty"`
	Status   status.Status `json:"status,omitempty"`
	Message  string        `json:"message,omitempty"`
	Problems []string      `json:"problems,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	Revision int           `json:"revision,omitempty"`
	Failed   int           `json:"failedRevision,omitempty"`
	Mixed    bool          `json:"mixed,omitempty"`
	Holder   string        `json:"holder,omitempty"`
	Since    string        `json:"since,omitempty"`
	By       string        `json:"by,omitempty"`
	Deployed string        `json:"deployed,omitempty"`
	Error    string        `json:"error,omitempty"`
	Cause    string        `json:"cause,omitempty"`
	Images   []string      `json:"images,omitempty"`
	// Elapsed is the seconds since the object's wait began (status-changed),
	// or since the deploy began (phase events).
	Elapsed float64 `json:"elapsedSeconds,omitempty"`
}

// Event writes one event.
func (j *JSONLines) Event(e event.Event) {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	out := jsonEvent{Time: now().UTC().Format(time.RFC3339Nano), Type: e.Type, Cluster: e.Cluster, Phase: e.Phase, Objects: e.Objects,
		Message: e.Message, Reason: e.Reason, Revision: e.Revision, Failed: e.Failed, Mixed: e.Mixed,
		Holder: e.Holder, By: e.By, Error: e.Error, Cause: e.Cause, Images: e.Images,
		Target: e.Target, Context: e.Context, Server: e.Server, DryRun: e.DryRun, Elapsed: e.Elapsed.Seconds()}
	if e.Object != (object.Ref{}) {
		out.Object = &e.Object
	}
	if a := e.Applied; a != nil {
		out.Object, out.Action = &a.Ref, a.Action
	}
	if u := e.Update; u != nil {
		out.Object, out.Status, out.Message, out.Elapsed = &u.Ref, u.Status, u.Message, u.Elapsed.Seconds()
		for _, p := range u.Problems {
			out.Problems = append(out.Problems, p.String())
		}
	}
	if !e.Since.IsZero() {
		out.Since = e.Since.UTC().Format(time.RFC3339)
	}
	if !e.Deployed.IsZero() {
		out.Deployed = e.Deployed.UTC().Format(time.RFC3339)
	}
	line, err := json.Marshal(out)
	if err != nil {
		return // every field is a plain value: it cannot fail
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, _ = j.W.Write(append(line, '\n'))
}

// Close does nothing: each line is complete when written.
func (j *JSONLines) Close() {}
