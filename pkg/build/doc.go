// Package build runs kustomize in-process (sigs.k8s.io/kustomize/api/krusty)
// on a kustomization directory and returns the rendered objects.
//
// With default Options its output is byte-identical to `kustomize build` of
// the same kustomize/api version. On top of that it can override images in
// memory, with the semantics of `kustomize edit set image`, without touching
// the tree on disk: ParseImage reads an override with the image-reference
// grammar, and Build refuses one that matches no image the top
// kustomization's images transformer sees (UnusedImageError), a check made
// within the build itself for most trees. It does not read kship.yaml or
// talk to a cluster.
package build
