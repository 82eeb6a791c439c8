package report

import (
	"encoding/json"
	"io"

	"github.com/kship/kship/pkg/deploy"
)

// JSONResult is the -o json document of a deploy.
type JSONResult struct {
	Environment string `json:"environment,omitempty"`
	// Outcome is "ready", "dry-run", "apply-failed", "not-ready" or "interrupted".
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	*deploy.Result
}

// JSON writes the deploy's result as indented JSON.
func JSON(w io.Writer, doc JSONResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
