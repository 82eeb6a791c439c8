package build

import (
	"runtime"
	"sync"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

// splitMin is how many kustomization directories one kustomization must
// gather before a build is split along them.
var splitMin = 8

// splitTrace, when not nil, is told why each build was not split ("" when
// it was), for the tests.
var (
	splitTraceMu sync.Mutex
	splitTrace   func(why string)
)

func traceSplit(why string) {
	splitTraceMu.Lock()
	defer splitTraceMu.Unlock()
	if splitTrace != nil {
		splitTrace(why)
	}
}

// split builds the kustomization in dir. Where one kustomization of the
// tree gathers many kustomization directories (a platform's services, say),
// it builds the tree a few directories at a time, concurrently, each time
// with that kustomization listing only those, and puts the parts together
// as kustomize would have. Where none does, one whose own files hold many
// documents is built a few dozen documents at a time (split_docs.go). kustomize's build time grows with the square of the
// objects (every name reference is looked up among all objects); the parts'
// grows with their sum.
//
// A part cannot see the others, so the split is taken only when that cannot
// change the result: nothing in the tree acts across objects (vars,
// replacements, functions, custom configurations), no object is renamed
// other than by prefix, suffix or hash, no part mentions a name another
// part's object had, the parts' shared objects come out the same in every
// part, and no two parts make the same object. Anything else, including a
// part that fails, builds the tree as one, which also reports kustomize's
// own error.
func split(fSys filesys.FileSystem, dir string, opts Options) (*Manifests, error) {
	cache := newReadCache(fSys)
	m, why := trySplit(cache, dir, opts)
	traceSplit(why)
	if why == "" {
		return m, nil
	}
	return plain(cache, dir, opts)
}

// trySplit builds dir in parts, or says why not.
func trySplit(fSys *readCache, dir string, opts Options) (*Manifests, string) {
	// kustomize reads every file by its absolute path: so do the parts'
	// overlays.
	abs, _, err := fSys.CleanedAbs(dir)
	if err != nil {
		return nil, err.Error()
	}
	dir = abs.String()
	t, why := walkTree(fSys, dir, opts.LoadRestrictor != types.LoadRestrictionsNone)
	if why != "" {
		return nil, why
	}
	sl, why := newSlicer(fSys, dir, opts, t)
	if why != "" {
		return nil, why
	}
	// The shared objects alone, then the entries a few at a time, with the
	// spine's replicas given to the part whose entries' files name them.
	shared, groups, why := sl.groups()
	if why != "" {
		return nil, why
	}
	sl.plan(shared, groups)
	specs := sl.parts
	sl.guessReplicas()
	// kyaml fills its schema's tables on first use, without a lock that
	// covers every reader: fill them before the parts run at once.
	schemaOnce.Do(func() { openapi.Schema() })
	parts, err := sl.buildAll(specs, true)
	if err != nil {
		return nil, "a part failed: " + err.Error()
	}
	// kustomize drops a local-config object only after it resolved the
	// name references and checked for duplicates, across all objects: an
	// object no part returns could have counted.
	if f := fSys.localConfig(); f != "" {
		return nil, f + " may hold a local-config object"
	}
	a, why := assemble(parts, sl)
	if why != "" {
		return nil, why
	}
	// Then again, for the parts whose replicas were not guessed right.
	again, why := sl.placeReplicas(a)
	if why != "" {
		return nil, why
	}
	if len(again) > 0 {
		rebuilt, err := sl.buildAll(pick(specs, again), false)
		if err != nil {
			return nil, "a part failed: " + err.Error()
		}
		for j, i := range again {
			parts[i] = rebuilt[j]
		}
		if a, why = assemble(parts, sl); why != "" {
			return nil, why
		}
	}
	return a.manifests()
}

// newSlicer finds the tree's fan-out: the kustomization that gathers the
// most kustomization directories from one directory (services/*, say), at
// least splitMin, or else the one whose own files hold the most documents,
// at least docSplitMin; with a single path to it from the root. Those
// directories or documents are the entries; the rest of the tree is shared
// by every part.
//
// dir is absolute: the paths kustomize reads, which the parts' overlays
// must name.
func newSlicer(fSys filesys.FileSystem, dir string, opts Options, t *kustTree) (*slicer, string) {
	sl := &slicer{fSys: fSys, dir: dir, abs: dir, opts: opts, t: t}
	if !sl.findDirFan() {
		if why := sl.findDocFan(); why != "" {
			return nil, why
		}
	}
	for n := sl.fan; n != nil; n = n.parent {
		if n.visits != 1 {
			return nil, n.file + " is included more than once"
		}
		sl.spine = append(sl.spine, n)
	}
	if n := sl.deprecatedShared(); n != nil {
		return nil, n.file + " uses deprecated fields: kustomize would warn once a part"
	}
	if sl.docs != nil {
		if why := sl.docsAlone(); why != "" {
			return nil, why
		}
	}
	return sl, ""
}

// findDirFan finds the kustomization that gathers the most kustomization
// directories from one directory, at least splitMin, and makes them the
// entries; false if there is none.
func (sl *slicer) findDirFan() bool {
	for _, n := range sl.t.nodes {
		if n.k.Kind == "Component" {
			continue
		}
		group := n.largestGroup()
		if len(group) < splitMin {
			continue
		}
		if sl.fan == nil || len(group) > len(sl.entries) || len(group) == len(sl.entries) && n.dir < sl.fan.dir {
			sl.fan, sl.entries = n, group
		}
	}
	return sl.fan != nil
}

// groups returns the entries in parts: the fan-out's directories a few at
// a time, in order; its documents by docGroups, with those every part
// reads.
func (sl *slicer) groups() (shared []int, groups [][]int, why string) {
	if sl.docs != nil {
		return sl.docGroups()
	}
	size := partSize(len(sl.entries), runtime.GOMAXPROCS(0))
	for j := 0; j < len(sl.entries); j += size {
		var g []int
		for e := j; e < min(j+size, len(sl.entries)); e++ {
			g = append(g, e)
		}
		groups = append(groups, g)
	}
	return nil, groups, ""
}

// plan sets the parts: first the shared objects alone, with the entries
// every part reads (shared), then one part a group of entries.
func (sl *slicer) plan(shared []int, groups [][]int) {
	sl.parts = []part{{entries: shared}}
	sl.partOf = make([]int, len(sl.entries))
	for _, g := range groups {
		for _, e := range g {
			sl.partOf[e] = len(sl.parts)
		}
		sl.parts = append(sl.parts, part{entries: g})
	}
	for _, e := range shared {
		sl.partOf[e] = 0
	}
}

var schemaOnce sync.Once

// partSize is how many of n entries one part builds: enough that the
// work every part repeats (the shared objects, the spine's transformers) is
// paid for a few entries at a time, few enough that four parts a processor
// keep them all busy to the end and that kustomize's time, which grows with
// the square of a part's objects, stays small.
func partSize(n, workers int) int {
	return min(maxPartSize, max(1, n/(4*workers)))
}

// maxPartSize bounds a part's entries.
const maxPartSize = 12

// pick returns the parts at the indexes is.
func pick(specs []part, is []int) []part {
	out := make([]part, len(is))
	for j, i := range is {
		out[j] = specs[i]
	}
	return out
}
