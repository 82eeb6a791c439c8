// Package rollout is a whole deploy of one environment: take the deploy
// lock, record the inventory (the union of old and new members, before any
// apply, so a crash never loses track of an object), run the phased deploy,
// prune what left the build once the rollout is ready, save the manifests for
// rollback, and, if asked, roll back when the rollout fails.
//
// It composes packages lock, inventory, deploy and prune; it never prints.
package engine
