// Package guard refuses to touch a cluster other than the one an environment
// names, before any write: the kube context must be the environment's, and,
// when kship.yaml pins them, the API server URL and the cluster's identity
// (the UID of its kube-system namespace) must match too.
//
// It reads the kubeconfig and makes at most one read request; it never writes.
package guard

import (
	"context"
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/kube"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WrongClusterError says that the cluster about to be touched is not the
// environment's.
type WrongClusterError struct {
	Env string
	// Cluster names the environment's cluster, when it lists several.
	Cluster string
	Reason  string
	Fix     string
}

func (e *WrongClusterError) Error() string {
	what := fmt.Sprintf("environment %q", e.Env)
	if e.Cluster != "" {
		what += fmt.Sprintf(" to its cluster %q", e.Cluster)
	}
	return fmt.Sprintf("refusing to deploy %s: %s; nothing was changed.\n  %s", what, e.Reason, e.Fix)
}

// Context checks, from the kubeconfig alone, that opts select env's context.
// For a target that is not an environment (a bare directory), opts.Context
// must be given: kship will not guess a cluster.
func Context(env *config.Environment, opts kube.Options) error {
	if env == nil {
		if opts.Context == "" {
			return &WrongClusterError{Env: "(none)", Reason: "this directory is not an environment in kship.yaml, so kship cannot tell which cluster it is for",
				Fix: "Pass --context NAME to say which cluster to deploy to, or add the directory to kship.yaml."}
		}
		return nil
	}
	raw, err := kube.Raw(opts)
	if err != nil {
		return fmt.Errorf("reading kubeconfig: %w", err)
	}
	current := opts.Context
	if current == "" {
		current = raw.CurrentContext
	}
	_, exists := raw.Contexts[env.Context]
	if !exists {
		return &WrongClusterError{Env: env.Name, Cluster: env.Cluster, Reason: fmt.Sprintf("its kube context %q (from kship.yaml) is not in the kubeconfig", env.Context),
			Fix: "Add that context to your kubeconfig (e.g. aws eks update-kubeconfig --alias " + env.Context + "), or pass --kubeconfig."}
	}
	if current != env.Context {
		return &WrongClusterError{Env: env.Name, Cluster: env.Cluster,
			Reason: fmt.Sprintf("it deploys to kube context %q, but the context in use is %q", env.Context, orNone(current)),
			Fix:    fmt.Sprintf("Pass --context %s, or run `kubectl config use-context %s`.", env.Context, env.Context)}
	}
	return nil
}

// Cluster checks what kship.yaml pins about env's cluster against the
// connected client: the API server URL and the kube-system namespace's UID.
func Cluster(ctx context.Context, env *config.Environment, c *kube.Client) error {
	if env == nil {
		return nil
	}
	if env.Server != "" && env.Server != c.Server {
		return &WrongClusterError{Env: env.Name, Cluster: env.Cluster,
			Reason: fmt.Sprintf("context %q points at %s, but kship.yaml pins the environment to %s", c.Context, c.Server, env.Server),
			Fix:    "Fix the context's cluster in your kubeconfig, or 'server' in kship.yaml if the cluster moved."}
	}
	if env.ClusterCA != "" {
		got, err := c.CAFingerprint()
		if err != nil {
			return &WrongClusterError{Env: env.Name, Cluster: env.Cluster, Reason: "kship.yaml pins its certificate authority (clusterCA), but " + err.Error(),
				Fix: "Use a kubeconfig that names the cluster's CA, or pin the cluster with 'server' or 'clusterID' instead."}
		}
		if !strings.EqualFold(got, env.ClusterCA) {
			return &WrongClusterError{Env: env.Name, Cluster: env.Cluster,
				Reason: fmt.Sprintf("context %q trusts certificate authority %s, but kship.yaml pins the environment to %s", c.Context, got, env.ClusterCA),
				Fix:    "Point the context at the right cluster. If the cluster's CA was rotated, update 'clusterCA' in kship.yaml."}
		}
	}
	if env.ClusterID == "" {
		return nil
	}
	ns, err := c.Typed.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if d, ok := kube.AsDenied(err); ok {
		alt := "clusterCA: <the SHA-256 of the context's CA certificate>"
		if ca, err := c.CAFingerprint(); err == nil {
			alt = "clusterCA: " + ca
		}
		return fmt.Errorf("the clusterID pin of environment %q reads namespace kube-system, which %s may not: "+
			"grant it with a ClusterRole holding\n  - apiGroups: [\"\"]\n    resources: [namespaces]\n    resourceNames: [kube-system]\n    verbs: [get]\n"+
			"bound to %s with a ClusterRoleBinding, or pin the cluster without a read, with\n  %s\nin kship.yaml instead of clusterID; nothing was changed", env.Name, d.User, d.User, alt)
	}
	if err != nil {
		return fmt.Errorf("reading the cluster's identity (namespace kube-system) through context %q: %w", c.Context, err)
	}
	if got := string(ns.UID); got != env.ClusterID {
		return &WrongClusterError{Env: env.Name, Cluster: env.Cluster,
			Reason: fmt.Sprintf("context %q reaches cluster %s (%s), but kship.yaml pins the environment to cluster %s", c.Context, got, c.Server, env.ClusterID),
			Fix:    "Point the context at the right cluster. If the cluster was rebuilt, update 'clusterID' in kship.yaml (kubectl get namespace kube-system -o jsonpath='{.metadata.uid}')."}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
