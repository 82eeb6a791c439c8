package build

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// kustNode is one kustomization of a tree, as its file says.
type kustNode struct {
	dir, file string
	k         types.Kustomization // as written, deprecated fields kept
	parent    *kustNode
	// visits is how many times the tree includes it.
	visits int
	// dirs are the indexes, in resources (then bases), of the entries that
	// are kustomization directories, not components.
	dirs []int
	// sub are the kustomizations those entries name, in order.
	sub []*kustNode
	// children are every kustomization and component it includes; files
	// the files it lists.
	children []*kustNode
	files    []string
}

// largestGroup returns the indexes into dirs of the most kustomization
// directories n lists from one directory, the first such group on a tie.
func (n *kustNode) largestGroup() []int {
	listed := n.listed()
	groups := map[string][]int{}
	var best []int
	for j, i := range n.dirs {
		parent := filepath.Dir(filepath.Clean(listed[i]))
		groups[parent] = append(groups[parent], j)
		if len(groups[parent]) > len(best) {
			best = groups[parent]
		}
	}
	return best
}

// listed is the node's resources as kustomize reads them: resources, then
// the deprecated bases.
func (n *kustNode) listed() []string {
	return append(append([]string(nil), n.k.Resources...), n.k.Bases...)
}

// kustTree is the kustomizations a build reads, and what they do to names.
type kustTree struct {
	fSys  filesys.FileSystem
	root  *kustNode
	nodes map[string]*kustNode // by directory
	// prefixes and suffixes are every namePrefix and nameSuffix in it.
	prefixes, suffixes []string
	walking            map[string]bool
	// rootOnly is kustomize's default load restriction: a kustomization's
	// files must be in or below its directory.
	rootOnly bool
}

// walkTree reads the kustomization in dir and every one it includes. It
// returns why the tree cannot be split when it uses anything that acts
// across objects or renames them other than by prefix, suffix or hash.
func walkTree(fSys filesys.FileSystem, dir string, rootOnly bool) (*kustTree, string) {
	t := &kustTree{fSys: fSys, nodes: map[string]*kustNode{}, walking: map[string]bool{}, rootOnly: rootOnly}
	root, why := t.walk(filepath.Clean(dir), nil)
	if why != "" {
		return nil, why
	}
	t.root = root
	if root.k.SortOptions != nil {
		return nil, "sortOptions"
	}
	if slices.Contains(root.k.BuildMetadata, types.TransformerAnnotations) {
		// Each object lists every transformer of its build's levels.
		return nil, "buildMetadata transformerAnnotations"
	}
	return t, ""
}

func (t *kustTree) walk(dir string, parent *kustNode) (*kustNode, string) {
	if n, ok := t.nodes[dir]; ok {
		if t.walking[dir] {
			return nil, "a cycle"
		}
		n.visits++
		return n, ""
	}
	n := &kustNode{dir: dir, parent: parent, visits: 1}
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if p := filepath.Join(dir, name); t.fSys.Exists(p) {
			if n.file != "" {
				return nil, "two kustomization files in " + dir
			}
			n.file = p
		}
	}
	if n.file == "" {
		return nil, "no kustomization file in " + dir
	}
	data, err := t.fSys.ReadFile(n.file)
	if err != nil {
		return nil, err.Error()
	}
	if err := n.k.Unmarshal(data); err != nil {
		return nil, n.file + ": " + err.Error()
	}
	if why := t.check(n); why != "" {
		return nil, n.file + ": " + why
	}
	t.nodes[dir] = n
	t.walking[dir] = true
	defer delete(t.walking, dir)
	for i, r := range n.listed() {
		sub, why := t.entry(n, r, false)
		if why != "" {
			return nil, why
		}
		if sub != nil {
			n.dirs = append(n.dirs, i)
			n.sub = append(n.sub, sub)
		}
	}
	for _, c := range n.k.Components {
		if _, why := t.entry(n, c, true); why != "" {
			return nil, why
		}
	}
	return n, ""
}

// entry walks one of n's resources or components: the kustomization it is,
// or nil for a file.
func (t *kustTree) entry(n *kustNode, r string, component bool) (*kustNode, string) {
	p := filepath.Join(n.dir, r)
	if filepath.IsAbs(r) {
		p = filepath.Clean(r)
	}
	switch {
	case t.fSys.IsDir(p):
		sub, why := t.walk(p, n)
		if why != "" {
			return nil, why
		}
		n.children = append(n.children, sub)
		if component {
			return nil, ""
		}
		return sub, ""
	case component:
		return nil, "component " + r + " is not a local directory"
	case t.fSys.Exists(p):
		if !t.readable(n, p) {
			return nil, "resource " + r + " is outside " + n.dir
		}
		n.files = append(n.files, p)
		return nil, ""
	default:
		return nil, "resource " + r + " is not a local file or directory"
	}
}

// check says why n rules the split out, or "".
func (t *kustTree) check(n *kustNode) string {
	k := &n.k
	switch {
	case len(k.Vars) > 0:
		return "vars"
	case len(k.Replacements) > 0:
		return "replacements"
	case len(k.Crds) > 0 || len(k.Configurations) > 0:
		return "custom transformer configurations"
	case len(k.Generators) > 0 || len(k.Transformers) > 0 || len(k.Validators) > 0:
		return "generators, transformers or validators"
	case len(k.HelmCharts) > 0 || len(k.HelmChartInflationGenerator) > 0 || k.HelmGlobals != nil:
		return "helm charts"
	case len(k.OpenAPI) > 0:
		return "openapi"
	}
	if k.NamePrefix != "" {
		t.prefixes = append(t.prefixes, k.NamePrefix)
	}
	if k.NameSuffix != "" {
		t.suffixes = append(t.suffixes, k.NameSuffix)
	}
	for _, p := range append(append([]types.Patch(nil), k.Patches...), k.PatchesJson6902...) {
		if why := t.checkPatch(n, p); why != "" {
			return why
		}
	}
	return ""
}

// checkPatch says why patch p could rename an object, or "". Strategic
// merge patches keep names unless allowed to change them; a JSON patch can
// write any path.
func (t *kustTree) checkPatch(n *kustNode, p types.Patch) string {
	if p.Options != nil && (p.Options.AllowNameChange || p.Options.AllowKindChange) {
		return "a patch that may rename"
	}
	text := p.Patch
	if p.Path != "" {
		path := filepath.Join(n.dir, p.Path)
		if !t.readable(n, path) {
			return "patch " + p.Path + " is outside " + n.dir
		}
		data, err := t.fSys.ReadFile(path)
		if err != nil {
			return "patch " + p.Path + ": " + err.Error()
		}
		text = string(data)
	}
	// As kustomize reads a JSON patch: JSON when it starts with "[", else
	// YAML; anything else is a strategic merge patch, or an error.
	text = strings.TrimSpace(text)
	js := []byte(text)
	if !strings.HasPrefix(text, "[") {
		var err error
		if js, err = yaml.YAMLToJSON(js); err != nil {
			return ""
		}
	}
	var ops []map[string]any
	if json.Unmarshal(js, &ops) != nil {
		return ""
	}
	for _, op := range ops {
		for _, key := range []string{"path", "from"} {
			v, ok := op[key]
			if !ok {
				continue
			}
			s, _ := v.(string)
			if renames(s) {
				return fmt.Sprintf("a JSON patch on %q", s)
			}
		}
	}
	return ""
}

// readable says whether kustomize may read file p for n: anything when
// loads are not restricted, else what is in or below n's directory. The
// tree is read only where kustomize would read it.
func (t *kustTree) readable(n *kustNode, p string) bool {
	if !t.rootOnly {
		return true
	}
	rel, err := filepath.Rel(n.dir, p)
	return err == nil && filepath.IsLocal(rel)
}

// renames says whether a JSON patch at path can change an object's name.
func renames(path string) bool {
	return path == "" || path == "/metadata" || strings.HasPrefix(path, "/metadata/name")
}
