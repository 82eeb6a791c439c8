package diff

import (
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"sigs.k8s.io/yaml"
)

// render is obj as YAML with sorted keys, as `kubectl diff` shows objects;
// "" for nil.
func render(obj map[string]any) (string, error) {
	if obj == nil {
		return "", nil
	}
	b, err := yaml.Marshal(obj)
	return string(b), err
}

// unified returns the unified diff of a and b with n lines of context, and
// how many lines it adds and removes.
func unified(a, b, from, to string, n int) (text string, added, removed int, err error) {
	text, err = difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: lines(a), B: lines(b), FromFile: from, ToFile: to, Context: n,
	})
	if err != nil {
		return "", 0, 0, err
	}
	for i, l := range strings.SplitAfter(text, "\n") {
		switch {
		case i < 2: // the ---/+++ header
		case strings.HasPrefix(l, "+"):
			added++
		case strings.HasPrefix(l, "-"):
			removed++
		}
	}
	return text, added, removed, nil
}

// lines splits s after each newline; unlike difflib.SplitLines it adds no
// empty line after a final newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if last := out[len(out)-1]; !strings.HasSuffix(last, "\n") {
		out[len(out)-1] = last + "\n"
	}
	return out
}
