package cli

import (
	"os"
	"os/signal"

	"github.com/kship/kship/pkg/engine"
	"golang.org/x/term"
)

// sizeQueue tells a command the terminal's size: at its start, and each
// time the terminal is resized (where the system signals it).
type sizeQueue struct {
	sizes chan engine.TerminalSize
	sigs  chan os.Signal
	done  chan struct{}
}

// newSizeQueue follows the size of the terminal out until stop.
func newSizeQueue(out *os.File) *sizeQueue {
	q := &sizeQueue{sizes: make(chan engine.TerminalSize, 1), sigs: make(chan os.Signal, 1), done: make(chan struct{})}
	send := func() {
		if w, h, err := term.GetSize(int(out.Fd())); err == nil {
			select {
			case q.sizes <- engine.TerminalSize{Width: uint16(w), Height: uint16(h)}:
			default: // the command has not read the last one: it reads the newest next
			}
		}
	}
	send()
	if resized != nil {
		signal.Notify(q.sigs, resized)
	}
	go func() {
		for {
			select {
			case <-q.sigs:
				send()
			case <-q.done:
				return
			}
		}
	}()
	return q
}

// Next returns the next size, nil once stopped.
func (q *sizeQueue) Next() *engine.TerminalSize {
	select {
	case s := <-q.sizes:
		return &s
	case <-q.done:
		return nil
	}
}

func (q *sizeQueue) stop() {
	signal.Stop(q.sigs)
	close(q.done)
}
