package diff

import (
	"fmt"

	"github.com/kship/kship/pkg/object"
)

// Action is what happens to an object.
type Action string

// The actions a Change can have.
const (
	// Created means the object does not exist on the old side.
	Created Action = "created"
	// Changed means the object exists on both sides and differs.
	Changed Action = "changed"
	// Deleted means the object exists only on the old side.
	Deleted Action = "deleted"
	// Renamed means a generated ConfigMap or Secret got a new hash suffix;
	// the diff compares the old object with the new one.
	Renamed Action = "renamed"
	// Recreated means an immutable field changed, so the object will be
	// deleted and created again; the diff covers the manifest's fields only.
	Recreated Action = "recreated"
)

// Change is one object that differs between the two sides.
type Change struct {
	// Ref names the object on the new side (on the old side if Deleted).
	Ref object.Ref `json:"object"`
	// Previous is the old object's name when Action is Renamed.
	Previous *object.Ref `json:"previous,omitempty"`
	// Action says what happens to the object.
	Action Action `json:"change"`
	// Note qualifies the change, e.g. why the server could not check it.
	Note string `json:"note,omitempty"`
	// Added and Removed count the diff's + and - lines.
	Added   int `json:"added"`
	Removed int `json:"removed"`
	// Diff is the unified diff of the object's YAML, Secret values masked
	// unless Options.ShowSecrets was set.
	Diff string `json:"diff"`
}

// Title names the change's object; a renamed one as
// "ConfigMap/ns/api-config-abc → api-config-def".
func (c Change) Title() string {
	if c.Previous != nil {
		return fmt.Sprintf("%s → %s", c.Previous, c.Ref.Name)
	}
	return c.Ref.String()
}

// Plan is what would change in one environment (or one directory).
type Plan struct {
	// Env names the environment, or the directory when it is not one.
	Env string `json:"environment"`
	// Note says something about the environment as a whole, e.g. that it
	// exists on one side only.
	Note string `json:"note,omitempty"`
	// Changes are the objects that differ, in build order; deletions last.
	Changes []Change `json:"changes"`
	// Unchanged counts the objects that are the same on both sides.
	Unchanged int `json:"unchanged"`
	// Prune lists live objects a deploy would delete because the build no
	// longer has them. It comes from kship's inventory and is empty until
	// one is given.
	Prune []object.Ref `json:"prune,omitempty"`
}

// HasChanges reports whether anything in p differs: a changed object, an
// object to prune, or the environment itself appearing or disappearing.
func (p *Plan) HasChanges() bool {
	return len(p.Changes) > 0 || len(p.Prune) > 0 || p.Note != ""
}

// Report is the result of one `kship diff`: a Plan per environment.
type Report struct {
	// From and To describe the two sides, e.g. "live" and "dry-run", or
	// "origin/main (merge-base 1a2b3c4)" and "working tree".
	From string `json:"from"`
	To   string `json:"to"`
	// Plans holds one plan per environment, in the order diffed.
	Plans []*Plan `json:"environments"`
}

// HasChanges reports whether any plan has changes.
func (r *Report) HasChanges() bool {
	for _, p := range r.Plans {
		if p.HasChanges() {
			return true
		}
	}
	return false
}
