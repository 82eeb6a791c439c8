// Package kube connects to a cluster: it loads a kubeconfig and context with
// k8s.io/cli-runtime and hands out the clients the other packages use, with
// client-side throttling off (the API server's own flow control suffices).
//
// It does not apply, wait or decide anything.
package kube
