package report

import (
	"fmt"
	"io"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/prune"
)

// Prune prints what was pruned, what a dry run would prune, and what was
// kept although it left the build.
func Prune(w io.Writer, pruned, would []apply.Ref, kept []prune.Kept) {
	for _, r := range pruned {
		fmt.Fprintf(w, "pruned: %s\n", r)
	}
	for _, r := range would {
		fmt.Fprintf(w, "would prune: %s\n", r)
	}
	for _, k := range kept {
		fmt.Fprintf(w, "kept: %s (%s)\n", k.Ref, k.Reason)
	}
}
