package report

import (
	"fmt"
	"io"

	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/prune"
)

// Prune prints what was pruned, what a dry run would prune, what was kept
// although it left the build, and what is still being deleted.
func Prune(w io.Writer, pruned, would []object.Ref, kept []prune.Kept, terminating []object.Ref) {
	for _, r := range pruned {
		fmt.Fprintf(w, "pruned: %s\n", r)
	}
	for _, r := range would {
		fmt.Fprintf(w, "would prune: %s\n", r)
	}
	for _, k := range kept {
		fmt.Fprintf(w, "kept: %s (%s)\n", k.Ref, k.Reason)
	}
	for _, r := range terminating {
		fmt.Fprintf(w, "still terminating: %s (its deletion was accepted; a finalizer holds it)\n", r)
	}
}

// Rollback prints what an automatic rollback did, and the rollback's own
// objects when it failed.
func Rollback(w io.Writer, rb *engine.RollbackReport) {
	if rb == nil {
		return
	}
	switch rb.Outcome {
	case engine.RolledBack:
		fmt.Fprintf(w, "\nrollback: rolled back to revision %d (now revision %d)\n", rb.To, rb.Revision)
	case engine.RollbackFailed:
		state := "It changed nothing: the environment runs the failed revision."
		if rb.Mixed {
			state = "The environment is in a mixed state."
		}
		fmt.Fprintf(w, "\nrollback: FAILED: the rollback to revision %d did not complete: %s\n  %s The rollback's objects:\n", rb.To, firstLine(rb.Reason), state)
		if rb.Result != nil {
			_ = Summary(w, rb.Result)
		}
	default:
		fmt.Fprintf(w, "\nrollback: not attempted: %s\n", rb.Reason)
	}
}
