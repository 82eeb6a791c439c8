// Package scaffold writes the files of a new app kship can deploy: a
// kustomize base (a Deployment with probes, requests and limits, a Service,
// a HorizontalPodAutoscaler, a PodDisruptionBudget, a configMapGenerator the
// Deployment reads and, if asked, a pre-deploy migration Job), one overlay
// per environment, kship.yaml and a CircleCI pipeline.
//
// It renders the files from templates embedded in the binary (Render),
// checks its input before anything is written (Options.Check), and writes
// only what is missing unless told to overwrite (Write). It never prints:
// the caller reports what Write returns.
package scaffold
