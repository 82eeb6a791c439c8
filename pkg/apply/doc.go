// Package apply server-side-applies objects with field manager "kship",
// concurrently and unthrottled, and says for each whether it was created,
// configured or left unchanged.
//
// In the steady state it sends one request per object (plus one metadata list
// per resource type and namespace, to tell "unchanged" from "configured").
// Conflicts and immutable-field errors come back as typed errors that name the
// object, the fields and what to do. Immutable Jobs are deleted and recreated.
// It does not decide the order of objects (see package deploy) or wait for
// readiness (see package wait).
package apply
