// Package object is kship's vocabulary for Kubernetes objects: how an
// object is named (Ref) and what the CustomResourceDefinitions of a build
// define. apply, wait, prune, inventory, diff, validate and report all
// speak it, so an object has one name in every message and document.
package object
