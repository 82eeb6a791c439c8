// Package config reads kship.yaml, the file that names a project's
// environments: for each, the kustomize overlay it builds, the kube context and
// namespace it deploys to, and the git branches that deploy to it.
//
// Because kship runs on pull-request trees, Parse refuses what would let a
// tree reach beyond itself: an overlay outside the repository that holds
// kship.yaml (unless allowOverlaysOutsideRepository: true), an environment
// name that is not valid in every object name and label kship derives
// from it or that would collide with another environment's objects, and a
// kship.yaml over MaxFileSize. Errors name the line where they can. The
// limits: section (Limits) raises or lowers what a build may read.
//
// It resolves what a user typed (an environment name, a directory or a branch)
// to an Environment. It does not build manifests or talk to a cluster.
package config
