// Package diff computes and renders what would change between two sets of
// Kubernetes objects: the live cluster and a server-side dry run of a build,
// or two builds of the same tree at two git revisions.
//
// It is given objects, never fetches them: it has no cluster or git access.
// For each object it strips what the server owns (managedFields, status,
// resourceVersion, generation, uid, creationTimestamp and kubectl's
// last-applied-configuration annotation), renders both sides as YAML with
// sorted keys and diffs them line by line, as `kubectl diff` shows them.
//
// Secret values are masked unless asked otherwise: each data or stringData
// value becomes "*** (N bytes)", and a value that changed is marked
// "*** (N bytes, changed)", so a diff says which keys changed but never what
// they hold. A ConfigMap or Secret whose kustomize-generated hash suffix
// changed (api-config-abc1234567 → api-config-def7654321) is reported as one
// renamed object with its content diff, not as a create and a delete.
//
// Text (optionally coloured), Markdown (for pull-request comments) and JSON
// renderers write a Report to an io.Writer; the package itself never prints.
package diff
