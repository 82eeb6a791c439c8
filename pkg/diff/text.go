package diff

import (
	"io"
	"strings"
)

// TextOptions says how Text renders.
type TextOptions struct {
	// Color colours added lines green, removed lines red and hunk headers
	// cyan, for terminals.
	Color bool
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
)

// Text writes r as plain unified diffs, one per changed object, each after a
// "# OBJECT: ACTION (+N -M)" line, and a summary line per environment. With
// several environments, or a note about one, each starts with a
// "=== ENV ===" line.
func Text(w io.Writer, r *Report, opts TextOptions) error {
	t := &textWriter{errWriter: errWriter{w: w}, color: opts.Color}
	multi := len(r.Plans) > 1
	for _, p := range r.Plans {
		if multi || p.Note != "" {
			t.styled(ansiBold, "=== "+p.Env+" ===")
		}
		if p.Note != "" {
			t.styled(ansiBold, "# "+p.Note)
		}
		for _, c := range p.Changes {
			t.styled(ansiBold, "# "+c.Title()+": "+string(c.Action)+" ("+c.counts()+")")
			if c.Note != "" {
				t.styled(ansiBold, "# "+c.Note)
			}
			t.diff(c.Diff)
		}
		if len(p.Prune) > 0 {
			t.styled(ansiBold, "# no longer in the build; a deploy would delete (prune):")
			for _, ref := range p.Prune {
				t.styled(ansiRed, "#   "+ref.String())
			}
		}
		t.printf("%s: %s\n", p.Env, p.Summary())
	}
	return t.err
}

type textWriter struct {
	errWriter
	color bool
}

// styled writes line with a style when colour is on.
func (t *textWriter) styled(style, line string) {
	if t.color {
		t.printf("%s%s%s\n", style, line, ansiReset)
		return
	}
	t.printf("%s\n", line)
}

func (t *textWriter) diff(text string) {
	for i, line := range lines(text) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case i < 2:
			t.styled(ansiBold, line)
		case strings.HasPrefix(line, "@@"):
			t.styled(ansiCyan, line)
		case strings.HasPrefix(line, "+"):
			t.styled(ansiGreen, line)
		case strings.HasPrefix(line, "-"):
			t.styled(ansiRed, line)
		default:
			t.printf("%s\n", line)
		}
	}
}
