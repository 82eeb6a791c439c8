// Package inventory records, in the cluster, which objects kship manages for
// an environment, in the format of kubectl's ApplySet (KEP-3659): a parent
// Secret labelled applyset.kubernetes.io/id, annotated with the group-kinds
// and namespaces its members span, and members labelled
// applyset.kubernetes.io/part-of. kubectl, and any ApplySet-aware tool, can
// read the set.
//
// The parent Secret also keeps the deploy history: when, by whom, which
// images, and the compressed manifests of recent successful deploys, for
// rollback. It does not apply, wait or prune.
package inventory
