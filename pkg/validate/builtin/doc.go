// Package builtin runs the Kubernetes API server's own validation code for
// built-in kinds, offline: for a create, the object is decoded, defaulted
// and converted to the internal version through the API server's scheme,
// then prepared and validated by the same registry strategy that serves the
// kind (k8s.io/kubernetes/pkg/registry/...), under the feature gates' defaults
// of the Kubernetes release kship is built with. What the API server rejects
// that no OpenAPI schema expresses (a PodDisruptionBudget's minAvailable of
// "one", a CronJob schedule that does not parse, a selector that does not
// match its template's labels) is found here, in the server's own words.
//
// The scheme and strategies are set up on first use, so that commands that
// never validate do not pay for them. Admission (webhooks, quotas, Pod
// Security, defaulting by admission plugins) is not run.
package builtin
