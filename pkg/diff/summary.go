package diff

import (
	"fmt"
	"io"
	"strings"
)

// actionOrder is the order summaries count actions in.
var actionOrder = []Action{Changed, Created, Renamed, Recreated, Deleted}

// Summary says in one line what p changes, e.g.
// "1 changed, 1 renamed, 5 unchanged" or "no changes, 7 unchanged".
func (p *Plan) Summary() string {
	n := map[Action]int{}
	for _, c := range p.Changes {
		n[c.Action]++
	}
	var parts []string
	for _, a := range actionOrder {
		if n[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[a], a))
		}
	}
	if len(p.Prune) > 0 {
		parts = append(parts, fmt.Sprintf("%d to prune", len(p.Prune)))
	}
	if len(parts) == 0 {
		parts = append(parts, "no changes")
	}
	parts = append(parts, fmt.Sprintf("%d unchanged", p.Unchanged))
	return strings.Join(parts, ", ")
}

// counts is "+N -M" for a change.
func (c Change) counts() string {
	return fmt.Sprintf("+%d -%d", c.Added, c.Removed)
}

// errWriter remembers the first write error, so that renderers can write
// line after line and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
