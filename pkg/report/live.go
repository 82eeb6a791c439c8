package report

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/status"
)

// Live shows a deploy on a terminal: what happened scrolls up as lines,
// and below them a block, redrawn in place, of what is still being waited on.
type Live struct {
	W       io.Writer
	mu      sync.Mutex
	waiting map[apply.Ref]string
	drawn   int
}

// Event updates the view with one event.
func (l *Live) Event(e deploy.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waiting == nil {
		l.waiting = map[apply.Ref]string{}
	}
	l.erase()
	switch {
	case e.Type == deploy.ObjectUpdate && !settled(e.Update.Status):
		l.waiting[e.Update.Ref] = fmt.Sprintf("%s [%s]", describe(e), e.Elapsed.Round(100*time.Millisecond))
	case e.Type == deploy.ObjectUpdate:
		delete(l.waiting, e.Update.Ref)
		fmt.Fprintln(l.W, describe(e))
	case e.Type == deploy.PhaseFinished:
		l.waiting = map[apply.Ref]string{}
		fmt.Fprintln(l.W, describe(e))
	default:
		if line := describe(e); line != "" {
			fmt.Fprintln(l.W, line)
		}
	}
	l.draw()
}

// Note prints a free-form line above the live block.
func (l *Live) Note(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.erase()
	fmt.Fprintln(l.W, line)
	l.draw()
}

// Close clears the live block, leaving only the lines.
func (l *Live) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.erase()
}

// settled reports whether an object is no longer waited on: Current,
// Failed, or Unknown (kship cannot judge it).
func settled(s status.Status) bool {
	return s == status.Current || s == status.Failed || s == status.Unknown
}

func (l *Live) erase() {
	if l.drawn > 0 {
		// Cursor up over the block, then clear to the end of the screen.
		fmt.Fprintf(l.W, "\x1b[%dA\x1b[J", l.drawn)
		l.drawn = 0
	}
}

func (l *Live) draw() {
	lines := make([]string, 0, len(l.waiting))
	for _, s := range l.waiting {
		lines = append(lines, s)
	}
	sort.Strings(lines)
	for _, s := range lines {
		fmt.Fprintf(l.W, "\x1b[2m⧗ %s\x1b[0m\n", s)
	}
	l.drawn = len(lines)
}
