// Package kustomizecli finds the kustomize CLI that kship's output is
// compared against, runs it the way a default install behaves, and explains
// where two renderings differ. It serves the parity tests and the benchmark
// harness; kship itself never runs the CLI.
package kustomizecli
