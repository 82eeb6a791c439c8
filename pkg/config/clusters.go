package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kship/kship/pkg/build"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Cluster is one of the clusters an environment deploys to, when it
// lists them under 'clusters' instead of naming one 'context': during a
// cluster upgrade (the old and the new cluster side by side), or for the
// same environment in several regions. Each cluster has its own lock,
// inventory, history and prune.
type Cluster struct {
	// Name names the cluster in kship's output and in --cluster.
	Name string `yaml:"name" json:"name"`
	// Context is the kube context that reaches the cluster; kship uses it
	// whatever the kubeconfig's current context is.
	Context string `yaml:"context" json:"context"`
	// Server, ClusterID and ClusterCA pin the cluster, as an
	// environment's do.
	Server    string `yaml:"server" json:"server,omitempty"`
	ClusterID string `yaml:"clusterID" json:"clusterID,omitempty"`
	ClusterCA string `yaml:"clusterCA" json:"clusterCA,omitempty"`
	// Kubeconfig, when set, is the kubeconfig for this cluster (plain or
	// SOPS-encrypted), instead of the environment's.
	Kubeconfig string `yaml:"kubeconfig" json:"kubeconfig,omitempty"`
	// Namespace, when set, replaces the environment's namespace in this
	// cluster.
	Namespace string `yaml:"namespace" json:"namespace,omitempty"`
	// Images change images in this cluster's build (NAME=NEWNAME[:TAG]
	// [@DIGEST]): only the parts given, keeping the overlay's others (a
	// regional registry keeps the tag); --image applies on top.
	Images []string `yaml:"images" json:"images,omitempty"`
}

// How the clusters of an environment are deployed to.
const (
	// RolloutSerial deploys to one cluster after the other, in the order
	// kship.yaml lists them, stopping at the first that fails.
	RolloutSerial = "serial"
	// RolloutParallel deploys to the clusters at once (at most
	// MaxParallel at a time); one failing does not stop the others.
	RolloutParallel = "parallel"
	// MaxParallel bounds how many clusters a parallel rollout deploys to
	// at once.
	MaxParallel = 4
)

// MultiCluster reports whether e lists clusters rather than one context.
func (e *Environment) MultiCluster() bool { return len(e.Clusters) > 0 }

// ClusterNames are the names of e's clusters, in kship.yaml's order.
func (e *Environment) ClusterNames() []string {
	out := make([]string, len(e.Clusters))
	for i, c := range e.Clusters {
		out[i] = c.Name
	}
	return out
}

// ForClusters returns, for each named cluster of e (every cluster when
// names is empty), the environment as deployed to that cluster: its
// context, pins, kubeconfig, namespace and images, with Cluster set. For an
// environment without clusters it returns e itself, and refuses names.
func (e *Environment) ForClusters(names []string) ([]*Environment, error) {
	if !e.MultiCluster() {
		if e.Cluster != "" {
			if slices.ContainsFunc(names, func(n string) bool { return n != e.Cluster }) {
				return nil, fmt.Errorf("%s/%s already names cluster %q: give --cluster or ENV/CLUSTER, not both", e.Name, e.Cluster, e.Cluster)
			}
			return []*Environment{e}, nil // already one cluster of an environment
		}
		if len(names) > 0 {
			return nil, fmt.Errorf("environment %q deploys to one cluster (context %q): --cluster applies to environments that list 'clusters' in kship.yaml", e.Name, e.Context)
		}
		return []*Environment{e}, nil
	}
	for _, n := range names {
		if !slices.Contains(e.ClusterNames(), n) {
			return nil, fmt.Errorf("environment %q has no cluster %q: its clusters are %s", e.Name, n, strings.Join(e.ClusterNames(), ", "))
		}
	}
	var out []*Environment
	for _, c := range e.Clusters {
		if len(names) == 0 || slices.Contains(names, c.Name) {
			out = append(out, e.forCluster(c))
		}
	}
	return out, nil
}

func (e *Environment) forCluster(c Cluster) *Environment {
	one := *e
	one.Clusters, one.Rollout = nil, ""
	one.Cluster, one.Listed = c.Name, e.ClusterNames()
	one.Context, one.Server, one.ClusterID, one.ClusterCA = c.Context, c.Server, c.ClusterID, c.ClusterCA
	if c.Kubeconfig != "" {
		one.Kubeconfig = c.Kubeconfig
	}
	if c.Namespace != "" {
		one.Namespace = c.Namespace
	}
	one.Images = slices.Clone(c.Images)
	return &one
}

// checkClusters checks an environment's clusters: names, contexts, images,
// and that what belongs to each cluster is not also set for all of them.
func (c *Config) checkClusters(env *Environment) error {
	switch env.Rollout {
	case "", RolloutSerial, RolloutParallel:
	default:
		return fmt.Errorf("rollout %q: want %s (the default: one cluster after the other) or %s", env.Rollout, RolloutSerial, RolloutParallel)
	}
	if !env.MultiCluster() {
		if env.Rollout != "" {
			return errors.New("has 'rollout' but no 'clusters': rollout says how to deploy to several clusters")
		}
		return nil
	}
	if env.Context != "" {
		return errors.New("has both 'context' and 'clusters': give the context of each cluster in 'clusters', and remove 'context'")
	}
	for _, pin := range []struct{ field, value string }{{"server", env.Server}, {"clusterID", env.ClusterID}, {"clusterCA", env.ClusterCA}} {
		if pin.value != "" {
			return fmt.Errorf("has '%s' and 'clusters': a pin is a cluster's; move '%s' into the cluster it pins", pin.field, pin.field)
		}
	}
	seen := map[string]bool{}
	for i := range env.Clusters {
		cl := &env.Clusters[i]
		if err := c.checkCluster(cl); err != nil {
			name := cl.Name
			if name == "" {
				name = fmt.Sprint("#", i+1)
			}
			return fmt.Errorf("cluster %s: %w", name, err)
		}
		if seen[cl.Name] {
			return fmt.Errorf("cluster %q is listed twice: give each cluster its own name", cl.Name)
		}
		seen[cl.Name] = true
	}
	return nil
}

func (c *Config) checkCluster(cl *Cluster) error {
	if cl.Name == "" {
		return errors.New("has no 'name': name it (e.g. after its region or version), as kship's output and --cluster refer to it")
	}
	if errs := validation.IsDNS1123Label(cl.Name); len(errs) > 0 {
		return fmt.Errorf("names must be DNS labels: %s", strings.Join(errs, "; "))
	}
	if cl.Context == "" {
		return errors.New("has no 'context': set it to the kube context that reaches this cluster")
	}
	if cl.Kubeconfig != "" && !filepath.IsAbs(cl.Kubeconfig) {
		cl.Kubeconfig = filepath.Join(filepath.Dir(c.Path), cl.Kubeconfig)
	}
	for _, img := range cl.Images {
		if _, err := build.ParseImage(img); err != nil {
			return fmt.Errorf("images: %w", err)
		}
	}
	return nil
}
