// Package wait watches applied objects until each is ready (kstatus
// "Current") or cannot be judged ("Unknown": a custom resource whose status
// kship cannot read, reported and not waited for), one fails, or the context
// ends, and explains every failure with its root cause: the pod, the
// container and why.
//
// It watches through informers, so it notices a change within milliseconds
// instead of polling. For workloads it also watches their pods (and a
// Deployment's ReplicaSets, to know the pods of the current revision) and
// fails fast on problems that will not fix themselves: an image that cannot be
// pulled, a crash loop, an OOM kill, a missing ConfigMap key, a pod no node
// can take, a Job past its backoff limit. It does not apply or delete.
package wait
