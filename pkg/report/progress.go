package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kship/kship/pkg/deploy"
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
func (l *Lines) Event(e deploy.Event) {
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

// describe is the one-line text of an event, "" for events not worth a line.
func describe(e deploy.Event) string {
	switch e.Type {
	case deploy.PhaseStarted:
		return fmt.Sprintf("phase %s: applying %d object%s", e.Phase, e.Objects, plural(e.Objects))
	case deploy.ObjectApplied:
		return fmt.Sprintf("%s %s", e.Applied.Ref, e.Applied.Action)
	case deploy.ObjectUpdate:
		u := e.Update
		msg := u.Message
		if msg == "" {
			msg = string(u.Status)
		}
		if len(u.Problems) > 0 && u.Status != status.Current {
			msg += " (" + u.Problems[0].String() + ")"
		}
		return fmt.Sprintf("%s: %s", u.Ref, oneLine(msg))
	case deploy.PhaseFinished:
		return fmt.Sprintf("phase %s: done", e.Phase)
	case deploy.Note:
		return e.Message
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

// Note prints a free-form line: a prune, a lock wait, a rollback.
func (l *Lines) Note(s string) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.W, "%s %s\n", now().UTC().Format("15:04:05.000"), s)
}
