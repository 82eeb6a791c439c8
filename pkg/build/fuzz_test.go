package build

import (
	"bytes"
	"errors"
	"testing"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// fuzzLimit keeps what an accepted input expands to small enough to
// expand for real.
const fuzzLimit = 64 << 10

// FuzzAliasExpansion feeds the YAML intake checks arbitrary input. They
// must never panic, and whatever they accept must, once kustomize
// expands it (kyaml's DeAnchor, as its reader does), grow by no more than
// the limit.
func FuzzAliasExpansion(f *testing.F) {
	f.Add([]byte(aliasBomb(4)))
	f.Add([]byte("a: &x hello\nb: *x\n---\nc: &y [*x]\n"))
	f.Add([]byte("base: &b {k: v}\nother:\n  <<: *b\n  z: w\n"))
	f.Add([]byte("a: &a [x, *a]\n"))
	f.Add([]byte("a: &x {k: v}\r\nb: *x\r\n--- # c\r\nc: '*x'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		grown := AliasExpansion(data, fuzzLimit)
		if grown < 0 {
			t.Fatalf("AliasExpansion = %d", grown)
		}
		err := NewBudget(Limits{MaxFileSize: 1 << 20, MaxAliasExpansion: fuzzLimit, MaxBuildSize: 1 << 21}).Check("fuzz.yaml", data)
		var le *LimitError
		if (grown > fuzzLimit) != errors.As(err, &le) {
			t.Fatalf("AliasExpansion = %d but Check says %v", grown, err)
		}
		if grown > fuzzLimit {
			return
		}
		if real := expandedGrowth(data); real > grown {
			t.Fatalf("accepted (counted %d) but expands by %d", grown, real)
		}
	})
}

// expandedGrowth expands every document of data as kustomize does and
// returns how much that adds, measured node by node on the expanded tree.
func expandedGrowth(data []byte) int64 {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	var total int64
	prev := 0
	pieces := [][]byte{}
	for _, loc := range documentSeparator.FindAllIndex(data, -1) {
		pieces = append(pieces, data[prev:loc[0]])
		prev = loc[1]
	}
	pieces = append(pieces, data[prev:])
	for _, p := range pieces {
		dec := kyaml.NewDecoder(bytes.NewReader(p))
		for {
			var doc kyaml.Node
			if dec.Decode(&doc) != nil {
				break
			}
			written := writtenSize(&doc)
			rn := kyaml.NewRNode(&doc)
			if rn.DeAnchor() != nil {
				continue // kustomize refuses it
			}
			total += treeSize(rn.YNode()) - written
		}
	}
	return total
}

// treeSize sizes an expanded tree the long way: every node visited.
func treeSize(n *kyaml.Node) int64 {
	if n == nil {
		return 0
	}
	if n.Kind == kyaml.AliasNode {
		return treeSize(n.Alias)
	}
	size := int64(NodeCost + len(n.Value))
	for _, c := range n.Content {
		size += treeSize(c)
	}
	return size
}
