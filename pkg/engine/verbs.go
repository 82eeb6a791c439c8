package engine

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/lock"
)

// connectEnv connects to t's environment for a verb that works on what is
// deployed rather than on a build: t must be an environment of kship.yaml
// with a namespace, where its inventory and lock are.
func (r *runner) connectEnv(ctx context.Context) error {
	if r.target.Env == nil || r.target.Env.Namespace == "" {
		return &OptionError{Err: fmt.Errorf("%s: give an environment of kship.yaml that has a 'namespace'", r.target.Name())}
	}
	if err := r.connect(ctx); err != nil {
		return err
	}
	r.env, r.namespace = r.target.Env.Name, r.target.Env.Namespace
	r.inv = inventory.New(r.client, r.env, r.namespace)
	return nil
}

// Status reads the health of what kship deployed to t's environment (see
// StatusReport), connecting with cluster.
func Status(ctx context.Context, t *Target, cluster Cluster) (*StatusReport, error) {
	r := &runner{opts: Options{Cluster: cluster}, target: t}
	if err := r.connectEnv(ctx); err != nil {
		return nil, err
	}
	rep, err := readStatus(ctx, r.client, r.env, r.namespace, r.rules())
	if err != nil {
		return nil, &ClusterError{Err: err}
	}
	return rep, nil
}

// Unlock breaks the deploy lock of t's environment, connecting with
// cluster. It returns who held it, nil when nobody did.
func Unlock(ctx context.Context, t *Target, cluster Cluster) (*lock.Info, error) {
	r := &runner{opts: Options{Cluster: cluster}, target: t}
	if err := r.connectEnv(ctx); err != nil {
		return nil, err
	}
	info, err := lock.Break(ctx, r.client, r.namespace, r.env)
	if err != nil {
		return nil, &LockError{Err: err}
	}
	return info, nil
}
