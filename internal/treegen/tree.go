package treegen

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// tree is a set of files to write, keyed by slash-separated relative path.
type tree map[string]string

// add sets the file at path, formatting it with fmt.Sprintf when args are
// given.
func (t tree) add(path, format string, args ...any) {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	t[path] = format
}

// write writes every file of t below dir, creating directories as needed.
func (t tree) write(dir string) error {
	paths := make([]string, 0, len(t))
	for p := range t {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(t[p]), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// yamlList renders items as a block sequence indented by indent spaces.
func yamlList(indent int, items []string) string {
	var b strings.Builder
	pad := strings.Repeat(" ", indent)
	for _, it := range items {
		fmt.Fprintf(&b, "%s- %s\n", pad, it)
	}
	return b.String()
}

// blockScalar renders text as the body of a YAML literal block scalar
// indented by indent spaces; text must end in a newline.
func blockScalar(indent int, text string) string {
	pad := strings.Repeat(" ", indent)
	lines := strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n")
	var b strings.Builder
	b.Grow(len(text) + len(lines)*indent)
	for _, l := range lines {
		b.WriteString(pad)
		b.WriteString(strings.TrimSuffix(l, "\n"))
		b.WriteByte('\n')
	}
	return b.String()
}
