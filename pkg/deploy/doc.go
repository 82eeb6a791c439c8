// Package deploy runs a deploy: it splits the built objects into phases,
// server-side-applies each phase and waits for it before the next, and
// collects what happened to every object.
//
// The phases are: Namespaces and CRDs (until Established); configuration
// (ServiceAccounts, RBAC, ConfigMaps, Secrets, PVCs, Services...); pre-deploy
// Jobs, annotated kship.dev/phase: pre-deploy, run to completion with their
// logs before any workload changes; then workloads and everything else;
// then post-deploy Jobs (kship.dev/phase: post-deploy), such as smoke tests,
// run to completion once every workload is ready. It reports progress
// through a callback and never prints.
package deploy
