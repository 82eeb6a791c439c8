package build

import (
	"bytes"
	"regexp"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// NodeCost is what every YAML node (key, value, list item, map or list)
// counts in an expanded size besides its scalar's bytes: about what one
// node costs kustomize in memory, at the least. It makes a bomb of empty
// values count, which a measure of bytes alone would not.
const NodeCost = 64

// documentSeparator is where kustomize's reader (kyaml's kio.ByteReader)
// splits a stream into documents before parsing each on its own: any line
// that starts with "---". Measuring the same pieces means measuring what
// kustomize will expand.
var documentSeparator = regexp.MustCompile(`\n---.*\n`)

// AliasExpansion returns how much the YAML aliases in data add once each is
// replaced by a copy of its anchor, as kustomize does before it builds: the
// expanded size of the documents minus their size as written, each node
// counting its scalar's bytes plus NodeCost. It never expands anything:
// each anchor's size is computed once and reused for every alias of it.
// Counting stops just past limit (which must be positive): a result above
// limit only says that the expansion exceeds it. An alias inside its own
// anchor, which would expand forever, counts as more than any limit.
// Documents that do not parse count nothing: kustomize's parser refuses
// them before it expands anything.
func AliasExpansion(data []byte, limit int64) int64 {
	if !bytes.ContainsRune(data, '*') || !bytes.ContainsRune(data, '&') {
		return 0 // no alias, or no anchor: nothing to expand
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	var total int64
	prev := 0
	for _, loc := range documentSeparator.FindAllIndex(data, -1) {
		total += pieceExpansion(data[prev:loc[0]], limit-total)
		if total > limit {
			return total
		}
		prev = loc[1]
	}
	return total + pieceExpansion(data[prev:], limit-total)
}

// pieceExpansion measures the documents of one piece of a stream, up to
// just past limit.
func pieceExpansion(piece []byte, limit int64) int64 {
	if !bytes.ContainsRune(piece, '*') {
		return 0
	}
	dec := kyaml.NewDecoder(bytes.NewReader(piece))
	var total int64
	for total <= limit {
		var doc kyaml.Node
		if err := dec.Decode(&doc); err != nil {
			return total // the end, or what kustomize cannot parse either
		}
		written := writtenSize(&doc)
		s := sizer{memo: map[*kyaml.Node]int64{}, cap: satAdd(written, limit-total+1, maxSize)}
		total += s.expanded(&doc) - written
	}
	return total
}

// maxSize bounds every size computed, far from overflowing int64.
const maxSize = 1 << 60

// sizer computes expanded sizes, remembering each anchor's. No size it
// returns exceeds cap.
type sizer struct {
	memo map[*kyaml.Node]int64
	cap  int64
}

// inProgress marks an anchor being measured.
const inProgress = -1

// expanded is n's size with every alias replaced by its anchor, at most
// s.cap.
func (s *sizer) expanded(n *kyaml.Node) int64 {
	if n.Kind == kyaml.AliasNode {
		return s.anchor(n.Alias)
	}
	size := min(int64(NodeCost+len(n.Value)), s.cap)
	for _, c := range n.Content {
		if size = satAdd(size, s.expanded(c), s.cap); size == s.cap {
			break
		}
	}
	return size
}

// anchor is the expanded size of an anchored node, computed once.
func (s *sizer) anchor(n *kyaml.Node) int64 {
	if n == nil {
		return 0
	}
	switch v, ok := s.memo[n]; {
	case ok && v == inProgress:
		return s.cap // an alias inside its own anchor
	case ok:
		return v
	}
	s.memo[n] = inProgress
	v := s.expanded(n)
	s.memo[n] = v
	return v
}

// writtenSize is n's size as written, an alias counting as one node.
func writtenSize(n *kyaml.Node) int64 {
	if n.Kind == kyaml.AliasNode {
		return NodeCost
	}
	size := int64(NodeCost + len(n.Value))
	for _, c := range n.Content {
		size += writtenSize(c)
	}
	return size
}

// satAdd is a+b, or cap if that is more; a and b are at most cap.
func satAdd(a, b, cap int64) int64 {
	if a > cap-b {
		return cap
	}
	return a + b
}
