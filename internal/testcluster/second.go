package testcluster

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
)

// EnvSecondKubeconfig names the kubeconfig of a second cluster to use
// with EnvKubeconfig's, instead of starting one.
const EnvSecondKubeconfig = "KSHIP_SECOND_KUBECONFIG"

const secondScript = "tools/cluster/second.sh"

var (
	secondOnce    sync.Once
	secondCluster *Cluster
	secondErr     error
)

// RequireSecond returns a second local cluster, independent of Require's
// (its own etcd, API server, nodes, certificate authority and state in
// .cluster-2, see tools/cluster/second.sh), starting it if needed; it skips
// or fails as Require does when none can be had. It is left running;
// `tools/cluster/second.sh down` stops it.
func RequireSecond(t testing.TB) *Cluster {
	t.Helper()
	Require(t)
	secondOnce.Do(func() { secondCluster, secondErr = startSecond(context.Background()) })
	if secondErr != nil {
		if required() {
			t.Fatalf("a second Kubernetes cluster is required (CI=true or %s=1) but unavailable: %v", EnvRequire, secondErr)
		}
		t.Skipf("no second Kubernetes cluster (start one with tools/cluster/second.sh up): %v", secondErr)
	}
	return secondCluster
}

func startSecond(ctx context.Context) (*Cluster, error) {
	if path := os.Getenv(EnvSecondKubeconfig); path != "" || os.Getenv(EnvKubeconfig) != "" {
		if path == "" {
			return nil, fmt.Errorf("%s names the first cluster; set %s to a second one", EnvKubeconfig, EnvSecondKubeconfig)
		}
		return given(ctx, EnvSecondKubeconfig, path)
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	return startAt(ctx, root, stateDir(root)+"-2", secondScript, "up")
}
