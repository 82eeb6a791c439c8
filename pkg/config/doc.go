// Package config reads kship.yaml, the file that names a project's
// environments: for each, the kustomize overlay it builds, the kube context and
// namespace it deploys to, and the git branches that deploy to it.
//
// It resolves what a user typed (an environment name, a directory or a branch)
// to an Environment. It does not build manifests or talk to a cluster.
package config
