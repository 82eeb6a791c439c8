package kustomizecli

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// contextLines is how many equal lines Diff shows before the first
	// difference, and how many lines of each side from it on.
	contextLines = 3
	// maxLineBytes caps how much of one line Diff prints; generated data can
	// put hundreds of kilobytes on a line.
	maxLineBytes = 160
)

// Diff explains how got differs from want by showing their first differing
// line with a few lines of context, as a patch would: lines only in want are
// marked "-", lines only in got "+". It returns "" when they are equal. It
// never prints whole outputs, which can be megabytes.
func Diff(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	w, g := splitLines(want), splitLines(got)
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d", i+1)
	if i < len(w) && i < len(g) {
		fmt.Fprintf(&b, ", byte %d of the line", commonPrefix(w[i], g[i])+1)
	}
	fmt.Fprintf(&b, " (want %d lines, %d bytes; got %d lines, %d bytes)\n", len(w), len(want), len(g), len(got))
	for j := max(0, i-contextLines); j < i; j++ {
		writeLine(&b, ' ', j, w[j])
	}
	writeSide(&b, '-', w, i)
	writeSide(&b, '+', g, i)
	return strings.TrimSuffix(b.String(), "\n")
}

// splitLines splits s into lines, each keeping its "\n" so that a missing
// final newline or a "\r" shows up as a difference.
func splitLines(s []byte) []string {
	if len(s) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(s), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// writeSide writes up to contextLines lines of one side from line i on, or
// says that the side has ended.
func writeSide(b *strings.Builder, mark byte, lines []string, i int) {
	if i >= len(lines) {
		fmt.Fprintf(b, "%c %6s  <end of output>\n", mark, "")
		return
	}
	for j := i; j < len(lines) && j < i+contextLines; j++ {
		writeLine(b, mark, j, lines[j])
	}
}

func writeLine(b *strings.Builder, mark byte, i int, line string) {
	fmt.Fprintf(b, "%c %6d  %s\n", mark, i+1, quoteLine(line))
}

// quoteLine makes a line printable on one terminal line: it is shortened, and
// a missing final newline and control characters are made visible.
func quoteLine(line string) string {
	body, hasNewline := strings.CutSuffix(line, "\n")
	cut := len(body) > maxLineBytes
	if cut {
		n := maxLineBytes
		for n > 0 && !utf8.RuneStart(body[n]) {
			n--
		}
		body = body[:n]
	}
	q := escapeControl(body)
	if cut {
		q += fmt.Sprintf("…(%d bytes)", len(strings.TrimSuffix(line, "\n")))
	}
	if !hasNewline {
		q += " <no newline at end>"
	}
	return q
}

// escapeControl escapes control characters but leaves the rest, unicode
// included, as it is.
func escapeControl(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
