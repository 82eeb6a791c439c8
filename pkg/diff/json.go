package diff

import (
	"encoding/json"
	"io"
)

// jsonReport is the -o json document.
type jsonReport struct {
	// HasChanges is what the exit code says: true for exit 1.
	HasChanges bool `json:"hasChanges"`
	*Report
}

// JSON writes r as one indented JSON document: {"hasChanges", "from", "to",
// "environments": [{"environment", "note", "changes": [{"object",
// "previous", "change", "note", "added", "removed", "diff"}], "unchanged",
// "prune"}]}.
func JSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{HasChanges: r.HasChanges(), Report: r})
}
