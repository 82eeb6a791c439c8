// Package treegen writes large, realistic kustomize trees for parity tests
// and benchmarks, so that big inputs need not be committed. Output is
// deterministic: the same arguments always produce the same bytes.
package treegen
