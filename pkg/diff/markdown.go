package diff

import (
	"io"
	"strings"
)

// Markdown writes r for a pull-request comment: a heading naming both sides,
// a table of every change (environment, object, change, lines added and
// removed), then each object's diff in a collapsed <details> block.
func Markdown(w io.Writer, r *Report) error {
	m := &errWriter{w: w}
	m.printf("### kship diff: %s → %s\n\n", code(r.From), code(r.To))
	m.printf("| Environment | Object | Change | Lines |\n|---|---|---|---|\n")
	for _, p := range r.Plans {
		env := cell(p.Env)
		if p.Note != "" {
			m.printf("| %s | | %s | |\n", env, cell(p.Note))
		}
		for _, c := range p.Changes {
			m.printf("| %s | %s | %s | +%d -%d |\n", env, code(c.Title()), c.Action, c.Added, c.Removed)
		}
		for _, ref := range p.Prune {
			m.printf("| %s | %s | deleted (prune) | |\n", env, code(ref.String()))
		}
		if !p.HasChanges() {
			m.printf("| %s | | %s | |\n", env, cell(p.Summary()))
		}
	}
	for _, p := range r.Plans {
		for _, c := range p.Changes {
			m.printf("\n<details>\n<summary>%s <code>%s</code>: %s (+%d -%d)</summary>\n\n",
				htmlText(p.Env), htmlText(c.Title()), c.Action, c.Added, c.Removed)
			if c.Note != "" {
				m.printf("%s\n\n", htmlText(c.Note))
			}
			fence := strings.Repeat("`", max(3, longestRun(c.Diff, '`')+1))
			m.printf("%sdiff\n%s%s\n\n</details>\n", fence, c.Diff, fence)
		}
	}
	return m.err
}

// cell escapes s for a Markdown table cell: HTML's special characters and
// the column separator.
func cell(s string) string {
	return cellEscaper.Replace(s)
}

var cellEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`)

// htmlText escapes s for HTML text (no quotes to escape outside attributes).
func htmlText(s string) string {
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// code is s as an inline code span in a table cell.
func code(s string) string {
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if len(ticks) > 1 {
		pad = " "
	}
	return ticks + pad + strings.ReplaceAll(s, "|", `\|`) + pad + ticks
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}
