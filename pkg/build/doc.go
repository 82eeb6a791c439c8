// Package build runs kustomize in-process (sigs.k8s.io/kustomize/api/krusty)
// on a kustomization directory and returns the rendered objects.
//
// With default Options its output is byte-identical to `kustomize build` of
// the same kustomize/api version. On top of that it can override images in
// memory, with the semantics of `kustomize edit set image`, without touching
// the tree on disk: ParseImage reads an override with the image-reference
// grammar, and Build refuses one that matches no image the top
// kustomization's images transformer sees (UnusedImageError), a check made
// within the build itself for most trees.
//
// A tree where one kustomization gathers many kustomization directories
// (a platform's services) is built in parts, concurrently, one part per few
// of those directories, and put together as kustomize would have: the build
// then grows with the objects rather than their square. The split is taken
// only where it provably cannot change the output (see split); anything
// else is built as one.
//
// Trees can be hostile (a pull request's), so every file kustomize reads
// goes through a filesystem layer that checks it first against Limits: its
// size (before reading it, where the filesystem can tell), the expansion of
// its YAML aliases (AliasExpansion, computed on the parsed nodes without
// expanding them), and the total one build reads. A refusal is a
// *LimitError naming the file and the kship.yaml setting that raises the
// limit. Budget applies the same checks to manifests read outside a build.
//
// It does not read kship.yaml or talk to a cluster.
package build
