package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/inventory"
)

// MovedError refuses the first deploy of an environment to a namespace
// while an inventory of it lives in another: the objects there would go
// on running, and nothing would manage them any more.
type MovedError struct {
	Env, Namespace string
	// Others are the namespaces that hold an inventory of Env.
	Others []string
	// ID is the ApplySet ID of the inventory in Others[0].
	ID string
}

func (e *MovedError) Error() string {
	old := e.Others[0]
	return fmt.Sprintf("environment %s was deployed to namespace %s (inventory Secret %s/kship-%s), and this is its first deploy to %s: "+
		"what is in %s would keep running with nothing managing it; nothing was changed.\n"+
		"  To move the environment, deploy with --allow-move, then remove what is left in %s:\n"+
		"    kubectl get all,configmaps,secrets -n %s -l %s=%s\n"+
		"    kubectl delete <those> -n %s && kubectl delete secret kship-%s -n %s\n"+
		"  Or, if the namespace in kship.yaml changed by mistake, set it back to %s.",
		e.Env, strings.Join(e.Others, ", "), old, e.Env, e.Namespace, old, old, old, inventory.LabelPartOf, e.ID, old, e.Env, old, old)
}

// checkMoved refuses, before anything is written, a first deploy to this
// namespace of an environment whose inventory is in another.
func (r *runner) checkMoved(ctx context.Context) error {
	if r.opts.AllowMove {
		return nil
	}
	state, err := r.inv.Load(ctx)
	if err != nil {
		return &StepError{Step: "inventory", Err: err}
	}
	if state.Exists {
		return nil
	}
	others, err := r.inv.Elsewhere(ctx, r.project)
	if err != nil {
		return &StepError{Step: "inventory", Err: err}
	}
	if len(others) == 0 {
		return nil
	}
	return &MovedError{Env: r.env, Namespace: r.namespace, Others: others, ID: inventory.ID(inventory.ParentName(r.env), others[0])}
}
