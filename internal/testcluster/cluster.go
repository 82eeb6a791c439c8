package testcluster

import (
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// ContextName is the kubeconfig context of the local cluster's admin user.
const ContextName = "kship-local"

// Annotations that make kwok's fake kubelet report failures for a pod. Put them
// on the pod template of a workload so that every pod it creates gets them.
const (
	// AnnotationCrash makes containers exit with the given code (e.g. "1")
	// and crash-loop (CrashLoopBackOff, restartCount growing). With
	// restartPolicy Never the pod fails instead.
	AnnotationCrash = "kwok.kship.dev/crash"
	// AnnotationOOM ("true") makes containers get OOMKilled (exit code 137)
	// and crash-loop.
	AnnotationOOM = "kwok.kship.dev/oom"
	// AnnotationFail makes containers exit with the given code; with
	// restartPolicy Never (a Job's pods) the pod's phase becomes Failed.
	AnnotationFail = "kwok.kship.dev/fail"
	// AnnotationNeverReady ("true") keeps containers running but never Ready,
	// as with a readiness probe that always fails.
	AnnotationNeverReady = "kwok.kship.dev/never-ready"
	// AnnotationReadyAfter (a Go duration such as "3s") makes running
	// containers become Ready only after that long.
	AnnotationReadyAfter = "kwok.kship.dev/ready-after"
	// AnnotationCompleteAfter (a Go duration) is how long a Job's pod runs
	// before it succeeds; the default is 300ms.
	AnnotationCompleteAfter = "kwok.kship.dev/complete-after"
)

// Cluster is a running Kubernetes control plane that tests can use.
type Cluster struct {
	kubeconfig string
	context    string
	config     *rest.Config
	clientset  *kubernetes.Clientset
}

// Kubeconfig returns the path of the cluster's admin kubeconfig.
func (c *Cluster) Kubeconfig() string { return c.kubeconfig }

// Context returns the name of the kubeconfig context that selects the cluster.
func (c *Cluster) Context() string { return c.context }

// RESTConfig returns a copy of the admin client configuration, with client-side
// rate limits raised (QPS 500, burst 1000) so tests are not throttled.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.config) }

// Clientset returns a typed client for the cluster, shared by all callers.
func (c *Cluster) Clientset() kubernetes.Interface { return c.clientset }
