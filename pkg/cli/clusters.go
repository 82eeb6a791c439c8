package cli

import (
	"strings"

	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
)

func clusterNameFlag() ucli.Flag {
	return &ucli.StringSliceFlag{Name: "cluster",
		Usage: "for an environment that lists several clusters in kship.yaml: only this one (repeatable; default: every cluster); ENV/CLUSTER says the same"}
}

// narrow is t once per cluster: the clusters --cluster names, else every
// cluster of t's environment; t alone when it deploys to one cluster.
// --context picks a context for one cluster only.
func (s selection) narrow(t *engine.Target) ([]*engine.Target, error) {
	ts, err := t.ForClusters(s.clusters)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, err)
	}
	if s.context != "" && len(ts) > 1 {
		return nil, usagef("%s deploys to %d clusters (%s), each with its own context: --context needs --cluster to pick one of them",
			t.Name(), len(ts), strings.Join(t.Env.ClusterNames(), ", "))
	}
	return ts, nil
}

// targets is the selection's target once per cluster (see narrow).
func (s selection) targets() ([]*engine.Target, error) {
	t, err := s.target()
	if err != nil {
		return nil, err
	}
	return s.narrow(t)
}

// single is t narrowed to one cluster, for the commands that work in one
// (logs, exec, delete): an environment of several clusters needs
// --cluster, or ENV/CLUSTER.
func (s selection) single(t *engine.Target) (*engine.Target, error) {
	ts, err := s.narrow(t)
	if err != nil {
		return nil, err
	}
	if len(ts) != 1 {
		return nil, usagef("%s deploys to clusters %s: pick one with --cluster NAME, or give %s/NAME",
			t.Name(), strings.Join(t.Env.ClusterNames(), ", "), t.Name())
	}
	return ts[0], nil
}

// multiCluster reports whether ts are clusters of an environment that
// lists several (even when --cluster narrowed them to one).
func multiCluster(ts []*engine.Target) bool {
	return len(ts) > 0 && ts[0].Cluster() != ""
}
