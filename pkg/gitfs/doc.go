// Package gitfs reads a git commit's tree into a kustomize filesystem, so
// that kship can build a kustomization as it was at that commit without a
// checkout and without touching the work tree.
//
// Repo runs git read-only (rev-parse, merge-base, ls-tree, cat-file) in the
// repository. FS serves the commit's files at the paths the work tree has
// them, so a build sees the same absolute layout on both sides: the tree is
// listed once with `git ls-tree -r -z` and each file's content is read the
// first time it is opened, through one long-running `git cat-file --batch`.
// Stat gives a file's size from the listing without reading it, so that a
// caller (pkg/build's limits) can refuse a huge blob before it is loaded.
// Symbolic links inside the tree are followed; submodules are not read.
// Paths outside the repository (a remote base's clone in a temporary
// directory, a file above the repository root) are served from disk; writes
// under the repository root stay in memory.
//
// It does not build or diff anything.
package gitfs
