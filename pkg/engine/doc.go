// Package engine is kship's deploy engine: what `kship deploy` does, below
// the command line, as one list of named steps (see Deploy). It builds a
// target, validates it, connects to the environment's cluster through the
// guard, prepares the objects as deployed (namespaces defaulted, inventory
// named), and then, under the environment's deploy lock: records its intent
// in the inventory (the union of old and new members, before any apply, so
// a crash never loses track of an object), applies the phases and waits for
// each, prunes what left the build once the rollout is ready, saves the
// manifests for rollback and, if asked, rolls back when the rollout fails.
//
// Diff, Status, Rollback, Unlock, Delete, Logs and Exec are verbs of the
// same engine, each through the guard; a deploy's dry run and Diff share
// one planner. Every step emits typed events (package
// event) and returns its own error type, whose ExitCode method is the exit
// code. It composes packages build, validate, guard, kube, lock, inventory,
// deploy and prune; it never prints.
package engine
