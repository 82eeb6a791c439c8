// Package workload finds the workloads kship deployed to an environment
// (Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs among its
// inventory's members), the pods that are theirs, and, for exec, the one
// pod to use, chosen as `kubectl exec deploy/NAME` chooses it.
//
// It reads only; it does not stream logs or run commands.
package workload
