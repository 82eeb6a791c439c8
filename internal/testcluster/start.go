package testcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kship/kship/internal/repo"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	// EnvKubeconfig names a kubeconfig to use instead of the repository's
	// .cluster/kubeconfig. Such a cluster is used as is and never started.
	EnvKubeconfig = "KSHIP_KUBECONFIG"
	// EnvRequire, set to 1 or true, makes Require fail rather than skip a test
	// when no cluster is available. CI=true does the same.
	EnvRequire = "KSHIP_REQUIRE_CLUSTER"
	// EnvClusterDir overrides the state directory of the local cluster
	// (default: .cluster in the repository), as it does for up.sh.
	EnvClusterDir = "KSHIP_CLUSTER_DIR"

	upScript = "tools/cluster/up.sh"
	// probeTimeout bounds the health check of an existing cluster.
	probeTimeout = 5 * time.Second
)

var (
	startOnce    sync.Once
	startCluster *Cluster
	startErr     error
)

// Start returns the local cluster, starting it with tools/cluster/up.sh if it
// is not already running and healthy. Only the first call in a process does
// any work; later calls return its result. A cluster started here is left
// running. Call it from TestMain to start the cluster before any test runs.
func Start(ctx context.Context) (*Cluster, error) {
	startOnce.Do(func() { startCluster, startErr = start(ctx) })
	return startCluster, startErr
}

func start(ctx context.Context) (*Cluster, error) {
	if path := os.Getenv(EnvKubeconfig); path != "" {
		return given(ctx, EnvKubeconfig, path)
	}

	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	return startAt(ctx, root, stateDir(root), upScript)
}

// given is the cluster of the kubeconfig that variable env names, used
// as it is: it must be healthy, and is never started.
func given(ctx context.Context, env, path string) (*Cluster, error) {
	c, err := load(path)
	if err != nil {
		return nil, err
	}
	if err := probe(ctx, c.clientset); err != nil {
		return nil, fmt.Errorf("cluster of %s=%s is not healthy: %w", env, path, err)
	}
	return c, nil
}

// stateDir is the first local cluster's state directory.
func stateDir(root string) string {
	if dir := os.Getenv(EnvClusterDir); dir != "" {
		return dir
	}
	return filepath.Join(root, ".cluster")
}

// startAt returns the cluster whose state is in dir, starting it with
// script (and its arguments) unless it is already running and healthy.
func startAt(ctx context.Context, root, dir string, script ...string) (*Cluster, error) {
	path := filepath.Join(dir, "kubeconfig")
	if c, err := load(path); err == nil && probe(ctx, c.clientset) == nil {
		return c, nil
	}
	if err := runUp(ctx, root, script...); err != nil {
		return nil, err
	}
	c, err := load(path)
	if err != nil {
		return nil, err
	}
	if err := probe(ctx, c.clientset); err != nil {
		return nil, fmt.Errorf("%s succeeded but the cluster is not healthy: %w", strings.Join(script, " "), err)
	}
	return c, nil
}

// load builds a Cluster from a kubeconfig, preferring the kship-local context.
func load(path string) (*Cluster, error) {
	raw, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	name := raw.CurrentContext
	if _, ok := raw.Contexts[ContextName]; ok {
		name = ContextName
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s, context %q: %w", path, name, err)
	}
	cfg.QPS, cfg.Burst = 500, 1000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Cluster{kubeconfig: path, context: name, config: cfg, clientset: cs}, nil
}

// probe checks that the API server is ready and that some node can run pods.
func probe(ctx context.Context, cs kubernetes.Interface) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if _, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx); err != nil {
		return fmt.Errorf("GET /readyz: %w", err)
	}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	for _, n := range nodes.Items {
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				return nil
			}
		}
	}
	return errors.New("no node is Ready")
}

// runUp runs tools/cluster/up.sh, which builds the binaries on first use (that
// takes minutes) and takes a lock so that concurrent test processes start the
// cluster only once.
func runUp(ctx context.Context, root string, script ...string) error {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(root, script[0]), script[1:]...)
	cmd.Dir = root
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(script, " "), err, tail(out.String(), 30))
	}
	return nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// repoRoot finds the root of the kship repository by walking up from the
// working directory to the go.mod that declares the kship module.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := repo.Root(wd)
	if err != nil {
		return "", fmt.Errorf("%w; set %s", err, EnvKubeconfig)
	}
	return root, nil
}
