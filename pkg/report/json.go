package report

import (
	"encoding/json"
	"io"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/prune"
)

// JSONResult is the -o json document of a deploy.
type JSONResult struct {
	Environment string `json:"environment,omitempty"`
	// Outcome is "ready", "dry-run", "nothing-to-do", "usage-error",
	// "build-failed", "apply-failed", "not-ready", "rollback-failed" or
	// "interrupted".
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	// Revision is the deploy's number in the environment's history.
	Revision int `json:"revision,omitempty"`
	*deploy.Result
	Pruned        []apply.Ref  `json:"pruned,omitempty"`
	WouldPrune    []apply.Ref  `json:"wouldPrune,omitempty"`
	KeptFromPrune []prune.Kept `json:"keptFromPrune,omitempty"`
	// Terminating are pruned objects still being deleted at the prune's end.
	Terminating []apply.Ref `json:"terminating,omitempty"`
	// RolledBackTo is the revision a successful automatic rollback returned
	// to; Rollback says what the rollback did, whatever its outcome.
	RolledBackTo int                    `json:"rolledBackTo,omitempty"`
	Rollback     *engine.RollbackReport `json:"rollback,omitempty"`
}

// JSON writes the deploy's result as indented JSON.
func JSON(w io.Writer, doc JSONResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
