package build

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
)

// The replicas transformer fails on an entry that matches nothing, so a
// part gets only the spine's replicas entries that set its own workloads.
// Which those are is guessed before the parts are built (the one entry
// whose files hold the name), and known after: a part guessed wrong is
// built again.

// guessReplicas gives a part the spine's replicas entries that name
// something only that part's entries' files hold (a workload's name is in
// its ConfigMap's and Service's documents too, which share its part).
func (sl *slicer) guessReplicas() {
	var texts [][]byte
	for _, n := range sl.spine {
		for i, rep := range n.k.Replicas {
			if texts == nil {
				texts = sl.entryTexts()
			}
			owner := -1
			for j, text := range texts {
				if !bytes.Contains(text, []byte(rep.Name)) {
					continue
				}
				if p := sl.partOf[j]; owner < 0 || owner == p {
					owner = p
					continue
				}
				owner = 0 // several parts: none is guessed
				break
			}
			if owner > 0 {
				sl.parts[owner].give(n, i)
			}
		}
	}
}

// entryTexts returns, for each entry, its kustomization files and the
// files they list, joined; or the document it is.
func (sl *slicer) entryTexts() [][]byte {
	out := make([][]byte, len(sl.entries))
	if sl.docs != nil {
		for j, d := range sl.docs.docs {
			out[j] = []byte(d.text)
		}
		return out
	}
	for j, e := range sl.entries {
		sub := sl.fan.sub[e]
		seen := map[*kustNode]bool{}
		var add func(n *kustNode)
		add = func(n *kustNode) {
			if seen[n] {
				return
			}
			seen[n] = true
			for _, f := range append([]string{n.file}, n.files...) {
				if data, err := sl.fSys.ReadFile(f); err == nil {
					out[j] = append(append(out[j], data...), '\n')
				}
			}
			for _, c := range n.children {
				add(c)
			}
		}
		add(sub)
	}
	return out
}

// give adds the spine kustomization n's replicas entry i to part s.
func (s *part) give(n *kustNode, i int) {
	if s.replicas == nil {
		s.replicas = map[*kustNode][]int{}
	}
	s.replicas[n] = append(s.replicas[n], i)
}

// placeReplicas works out, from what the parts made, which part each of
// the spine's replicas entries sets, and returns the parts whose entries
// differ from what they were built with, now given the right ones.
func (sl *slicer) placeReplicas(a *assembly) ([]int, string) {
	shared := map[string]bool{}
	for _, r := range a.parts[0] {
		names, ok := a.names(r.GetName())
		if !ok {
			return nil, fmt.Sprintf("%s: too many names it may have had", r.CurId())
		}
		for _, n := range names {
			shared[n] = true
		}
	}
	want := make([]part, len(sl.parts))
	for _, n := range sl.spine {
		for i, rep := range n.k.Replicas {
			if shared[rep.Name] {
				return nil, fmt.Sprintf("%s: replicas of %s, which every part shares", n.file, rep.Name)
			}
			o, ok := a.owner[rep.Name]
			switch {
			case !ok:
				return nil, fmt.Sprintf("%s: replicas of %s, which no part makes", n.file, rep.Name)
			case o < 0:
				return nil, fmt.Sprintf("%s: replicas of %s, which several parts may make", n.file, rep.Name)
			}
			want[o].give(n, i)
		}
	}
	var again []int
	for i := range sl.parts {
		if !maps.EqualFunc(want[i].replicas, sl.parts[i].replicas, slices.Equal) {
			sl.parts[i].replicas = want[i].replicas
			again = append(again, i)
		}
	}
	return again, ""
}
