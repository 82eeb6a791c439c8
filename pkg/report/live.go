package report

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
)

// Live shows a deploy on a terminal: what happened scrolls up as lines,
// and below them a block, redrawn in place, of what is still being waited
// on, with how long each has been waited for, ticking every second. Lines
// of the block are cut to the terminal's width, so that a redraw covers
// exactly what it drew.
type Live struct {
	W io.Writer
	// Width, when set, returns the terminal's width in columns.
	Width func() int
	// Now and Tick are the clock and how often the block is redrawn;
	// time.Now and every second when not set.
	Now  func() time.Time
	Tick time.Duration

	mu      sync.Mutex
	waiting map[waitKey]waitingLine
	drawn   int
	ticking bool
	stop    chan struct{}
}

// waitKey is an object waited on, in its cluster.
type waitKey struct {
	cluster string
	ref     object.Ref
}

// waitingLine is one object still waited on.
type waitingLine struct {
	text  string
	since time.Time
}

func (l *Live) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Event updates the view with one event.
func (l *Live) Event(e event.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waiting == nil {
		l.waiting = map[waitKey]waitingLine{}
	}
	l.erase()
	switch {
	case e.Type == event.StatusChanged && !settled(e.Update.Status):
		k := waitKey{e.Cluster, e.Update.Ref}
		w, ok := l.waiting[k]
		if !ok {
			w.since = l.now().Add(-e.Update.Elapsed)
		}
		w.text = describe(e)
		l.waiting[k] = w
		l.startTicking()
	case e.Type == event.StatusChanged:
		delete(l.waiting, waitKey{e.Cluster, e.Update.Ref})
		fmt.Fprintln(l.W, describe(e))
	case e.Type == event.DeployDone:
		// A deploy that failed ends without PhaseDone: its lines go.
		for k := range l.waiting {
			if k.cluster == e.Cluster {
				delete(l.waiting, k)
			}
		}
	case e.Type == event.PhaseDone || e.Type == event.PhaseStarted:
		// A phase that failed ends without PhaseFinished: what it waited on
		// is not waited on by the next one (a rollback's). Other clusters'
		// phases go on.
		for k := range l.waiting {
			if k.cluster == e.Cluster {
				delete(l.waiting, k)
			}
		}
		fmt.Fprintln(l.W, describe(e))
	default:
		if line := describe(e); line != "" {
			fmt.Fprintln(l.W, line)
		}
	}
	l.draw()
}

// startTicking redraws the block every Tick until Close.
func (l *Live) startTicking() {
	if l.ticking {
		return
	}
	every := l.Tick
	if every <= 0 {
		every = time.Second
	}
	l.ticking, l.stop = true, make(chan struct{})
	go func(stop chan struct{}) {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				l.mu.Lock()
				if len(l.waiting) > 0 {
					l.erase()
					l.draw()
				}
				l.mu.Unlock()
			}
		}
	}(l.stop)
}

// Close clears the live block, leaving only the lines, and stops the tick.
func (l *Live) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ticking {
		close(l.stop)
		l.ticking = false
	}
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
	width := 0
	if l.Width != nil {
		width = l.Width()
	}
	lines := make([]string, 0, len(l.waiting))
	for _, w := range l.waiting {
		timer := fmt.Sprintf(" [%s]", l.now().Sub(w.since).Round(time.Second))
		text := "⧗ " + w.text
		if width > 0 {
			// The timer stays in sight; the text gives way.
			text = cut(text, width-utf8.RuneCountInString(timer))
		}
		lines = append(lines, text+timer)
	}
	sort.Strings(lines)
	for _, s := range lines {
		fmt.Fprintf(l.W, "\x1b[2m%s\x1b[0m\n", s)
	}
	l.drawn = len(lines)
}

// cut shortens s to fit in width columns (one per rune), with an ellipsis;
// width 0 means no limit.
func cut(s string, width int) string {
	if width <= 1 || utf8.RuneCountInString(s) < width {
		return s
	}
	r := []rune(s)
	return string(r[:width-2]) + "…"
}
