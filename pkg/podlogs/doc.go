// Package podlogs streams the logs of a set of pods, every line prefixed
// with its pod and container, as `kubectl logs -l SELECTOR --prefix` does;
// when following, it also follows the pods that appear later (a rollout's)
// and says when a pod goes away.
//
// It writes whole lines to the io.Writer it is given and reports what
// happens to pods through a callback; it never prints by itself, and it
// does not choose the pods: a predicate does.
package podlogs
