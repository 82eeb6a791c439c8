package apply

import (
	"fmt"

	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Action is what an apply did to an object.
type Action string

// The actions, in kubectl's words.
const (
	Created    Action = "created"
	Configured Action = "configured"
	Unchanged  Action = "unchanged"
	// Recreated means the object was deleted and created again because a field
	// that cannot change (a Job's template, say) changed.
	Recreated Action = "recreated"
)

// Result is the outcome of applying one object.
type Result struct {
	Ref    object.Ref
	Action Action
	// Object is the object as the API server returned it, without its
	// managedFields after a write (they are kept for a dry run).
	Object *unstructured.Unstructured
	// Before is the live object as it was before a dry run (nil when it did
	// not exist, and for a real apply): what `kship diff` compares Object with.
	Before *unstructured.Unstructured
}

func (r Result) String() string { return fmt.Sprintf("%s %s", r.Ref, r.Action) }
