package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// slicer builds a tree once per part of its fan-out's entries: the whole
// tree, with the fan-out kustomization listing only the part's gathered
// directories, or its files holding only the part's documents.
type slicer struct {
	fSys filesys.FileSystem
	dir  string
	opts Options
	t    *kustTree
	fan  *kustNode
	// entries are the fan-out's directories built in parts, as indexes
	// into its dirs; or, with docs, its files' documents, as indexes into
	// docs.docs.
	entries []int
	docs    *docFan
	// spine is the fan-out and its ancestors, up to the root.
	spine []*kustNode
	// abs is dir made absolute, to which reused parts' paths are relative.
	abs string
	// parts are the parts, once chosen; partOf the part of each entry.
	parts  []part
	partOf []int
}

// part says what one of a split build's builds keeps: some of the
// fan-out's entries (indexes into entries; for the shared objects alone,
// none, or the documents every part reads) and, for each spine
// kustomization with replicas, which of them (by index).
type part struct {
	entries  []int
	replicas map[*kustNode][]int
}

// overlays returns the files that part s reads differently: kustomization
// files, and the fan-out's files with only the part's documents.
func (sl *slicer) overlays(s part) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, n := range sl.spine {
		k := n.k
		changed := false
		if n == sl.fan && sl.docs == nil {
			k.Resources, k.Bases = sl.keep(s.entries), nil
			if k.CheckEmpty() != nil {
				// Nothing left but the entries, and none of them: a
				// name keeps kustomize from refusing an empty file
				// (it reads nothing else from it).
				k.MetaData = &types.ObjectMeta{Name: "kship-shared-objects"}
			}
			changed = true
		}
		if len(k.Replicas) > 0 {
			var kept []types.Replica
			for _, i := range s.replicas[n] {
				kept = append(kept, n.k.Replicas[i])
			}
			k.Replicas, changed = kept, true
		}
		if !changed {
			continue
		}
		data, err := yaml.Marshal(&k)
		if err != nil {
			return nil, err
		}
		out[filepath.Clean(n.file)] = data
	}
	if sl.docs != nil {
		sl.docOverlays(s, out)
	}
	return out, nil
}

// keep is the fan-out's resources with only the given entries (indexes
// into entries) of the entries.
func (sl *slicer) keep(entries []int) []string {
	listed := sl.fan.listed()
	drop := map[int]bool{}
	for _, j := range sl.entries {
		drop[sl.fan.dirs[j]] = true
	}
	for _, j := range entries {
		delete(drop, sl.fan.dirs[sl.entries[j]])
	}
	var out []string
	for i, r := range listed {
		if !drop[i] {
			out = append(out, r)
		}
	}
	return out
}

// build runs kustomize on slice s.
func (sl *slicer) build(s part) ([]*resource.Resource, error) {
	files, err := sl.overlays(s)
	if err != nil {
		return nil, err
	}
	reuse := sl.opts.Reuse
	var key string
	if reuse != nil {
		key = sl.partKey(files)
		if made := reuse.find(key, sl.fSys, sl.abs); made != nil {
			return made, nil
		}
	}
	var (
		fSys filesys.FileSystem = sl.fSys
		rec  *asking
	)
	if reuse != nil {
		rec = &asking{FileSystem: sl.fSys, dir: sl.abs}
		fSys = rec
	}
	krustyRuns.Add(1)
	m, err := krusty.MakeKustomizer(sl.opts.krusty()).Run(&filesOverlay{FileSystem: fSys, files: files}, sl.dir)
	if err != nil {
		return nil, err
	}
	if reuse != nil && !rec.tainted {
		reuse.keep(key, rec.asked, m.Resources())
	}
	return m.Resources(), nil
}

// partKey names what a part's build depends on besides its filesystem:
// the kustomize options and the kustomization files the part changes.
func (sl *slicer) partKey(files map[string][]byte) string {
	h := sha256.New()
	opts, err := json.Marshal(sl.opts.krusty())
	if err != nil {
		opts = []byte(fmt.Sprintf("%p", sl)) // unique: never reused
	}
	h.Write(append(opts, 0))
	for _, p := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(h, "%s\x00%d\x00", relTo(sl.abs, p), len(files[p]))
		h.Write(files[p])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// buildAll builds every slice, as many at once as there are processors,
// and stops at the first failure. With guessed, a slice whose replicas were
// guessed and fails is built again without them.
func (sl *slicer) buildAll(specs []part, guessed bool) ([][]*resource.Resource, error) {
	out := make([][]*resource.Resource, len(specs))
	var (
		next   atomic.Int64
		failed atomic.Bool
		first  error
		once   sync.Once
		wg     sync.WaitGroup
	)
	workers := min(runtime.GOMAXPROCS(0), len(specs))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(specs) {
					return
				}
				res, err := sl.build(specs[i])
				if err != nil && guessed && specs[i].replicas != nil {
					// A guess that named the wrong part: built
					// again once the right one is known.
					specs[i].replicas = nil
					res, err = sl.build(specs[i])
				}
				if err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
					return
				}
				out[i] = res
			}
		}()
	}
	wg.Wait()
	return out, first
}

// filesOverlay serves some files from memory and the rest from the
// filesystem under it.
type filesOverlay struct {
	filesys.FileSystem
	files map[string][]byte
}

func (o *filesOverlay) ReadFile(p string) ([]byte, error) {
	if data, ok := o.files[filepath.Clean(p)]; ok {
		return append([]byte(nil), data...), nil
	}
	return o.FileSystem.ReadFile(p)
}

// describe names part i of a split build by its entries.
func (sl *slicer) describe(i int) string {
	if sl.parts == nil || i == 0 || i >= len(sl.parts) || len(sl.parts[i].entries) == 0 {
		return "the shared objects alone"
	}
	e := sl.parts[i].entries
	if sl.docs != nil {
		// By its own first document, not one every part reads.
		first := e[0]
		for _, d := range e {
			if sl.partOf[d] != 0 {
				first = d
				break
			}
		}
		if len(e) == 1 {
			return sl.describeDoc(first)
		}
		return fmt.Sprintf("%s and %d more", sl.describeDoc(first), len(e)-1)
	}
	first := sl.fan.listed()[sl.fan.dirs[sl.entries[e[0]]]]
	if len(e) == 1 {
		return "entry " + first
	}
	return fmt.Sprintf("entries %s and %d more", first, len(e)-1)
}

// deprecatedShared returns a kustomization that every part loads (one not
// only below the entries) and for which kustomize prints a deprecation
// warning, each time it loads it; nil if there is none.
func (sl *slicer) deprecatedShared() *kustNode {
	entry := map[*kustNode]bool{}
	if sl.docs == nil {
		for _, e := range sl.entries {
			entry[sl.fan.sub[e]] = true
		}
	}
	seen := map[*kustNode]bool{}
	var find func(n *kustNode) *kustNode
	find = func(n *kustNode) *kustNode {
		if seen[n] || entry[n] {
			return nil
		}
		seen[n] = true
		if w := n.k.CheckDeprecatedFields(); w != nil && len(*w) > 0 {
			return n
		}
		for _, c := range n.children {
			if d := find(c); d != nil {
				return d
			}
		}
		return nil
	}
	return find(sl.t.root)
}
