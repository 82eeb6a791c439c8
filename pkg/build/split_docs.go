package build

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// A kustomization that lists many objects in its own files (an operator's
// install.yaml, a generated file of a thousand ConfigMaps) costs kustomize
// the square of its objects as much as one that gathers many directories.
// Where no kustomization gathers enough directories, such a build is split
// along the documents of those files: each part reads the files with only
// some of their documents, cut and joined where kustomize's reader cuts
// them, so that it reads each document as it would have in the whole file.

// docSplitMin is how many YAML documents one kustomization's own files
// must hold before a build is split along them.
var docSplitMin = 128

// docPartSize is how many documents a part reads: enough that what every
// part repeats is paid for many objects at a time, few enough that the
// part's own square stays small.
const docPartSize = 40

// docFan is a kustomization's resource files, cut into documents.
type docFan struct {
	files []string
	docs  []document
	// whole is, for each file of one document, the file as it is.
	whole [][]byte
}

// document is one document of a fan-out file, as kustomize's reader cuts
// it: the text between two separators.
type document struct {
	file int
	// index is its place in the file, from 0.
	index int
	text  string
	// last is whether it ends its file: the reader gives every other
	// document back the line end the separator took.
	last bool
}

// separatorLine is a YAML document separator where kustomize's reader
// finds one: a line that starts with ---.
var separatorLine = regexp.MustCompile(`\n---.*\n`)

// cutDocuments returns the documents kustomize's reader makes of data, or
// says why a part could not be given some of them to read the same way:
// a separator the reader refuses, or a carriage return before a CRLF (the
// reader turns CRLF into LF once, which a second reading of the cut text
// would do again).
func cutDocuments(data []byte) ([]string, string) {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	if strings.Contains(s, "\r\n") {
		return nil, "has a carriage return before a CRLF"
	}
	if s == "" {
		return nil, ""
	}
	var out []string
	at := 0
	for _, loc := range separatorLine.FindAllStringIndex(s, -1) {
		if rest := strings.TrimSpace(s[loc[0]+4 : loc[1]]); rest != "" && rest[0] != '#' {
			return nil, "has a separator kustomize refuses"
		}
		out = append(out, s[at:loc[0]])
		at = loc[1]
	}
	return append(out, s[at:]), ""
}

// content is file f as a part that reads only the documents sel (indexes
// into docs, in order) sees it. A file of one document is read whole or
// not at all, as it is: the reader unwraps a file that is one List. In a
// file of several, a separator comes first, so that the reader never
// takes a lone document for the whole file; the last document gets its
// line end back unless it ended the file.
func (d *docFan) content(f int, sel []int) []byte {
	if raw := d.whole[f]; raw != nil {
		for _, i := range sel {
			if d.docs[i].file == f {
				return raw
			}
		}
		return nil
	}
	var b bytes.Buffer
	var last *document
	for _, i := range sel {
		if d.docs[i].file != f {
			continue
		}
		last = &d.docs[i]
		b.WriteString("\n---\n")
		b.WriteString(last.text)
	}
	if last != nil && !last.last {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// findDocFan finds the kustomization whose own files hold the most
// documents, at least docSplitMin, and makes its documents the entries.
// A kustomization whose files cannot be cut is passed over (every part
// reads them whole); why is said only when no other is found.
func (sl *slicer) findDocFan() string {
	uncut := ""
	for _, dir := range slices.Sorted(maps.Keys(sl.t.nodes)) {
		n := sl.t.nodes[dir]
		if n.k.Kind == "Component" || len(n.files) == 0 {
			continue
		}
		d, why := sl.cut(n)
		if why != "" {
			uncut = cmp.Or(uncut, why)
			continue
		}
		if len(d.docs) >= docSplitMin && (sl.docs == nil || len(d.docs) > len(sl.docs.docs)) {
			sl.fan, sl.docs = n, d
		}
	}
	if sl.fan == nil {
		return cmp.Or(uncut, fmt.Sprintf("no kustomization gathers %d directories or lists %d documents", splitMin, docSplitMin))
	}
	sl.entries = make([]int, len(sl.docs.docs))
	for i := range sl.entries {
		sl.entries[i] = i
	}
	return ""
}

// cut cuts n's files into documents.
func (sl *slicer) cut(n *kustNode) (*docFan, string) {
	d := &docFan{}
	for _, p := range n.files {
		data, err := sl.fSys.ReadFile(p)
		if err != nil {
			return nil, p + ": " + err.Error()
		}
		docs, why := cutDocuments(data)
		if why != "" {
			return nil, p + " " + why
		}
		f := len(d.files)
		d.files = append(d.files, filepath.Clean(p))
		var whole []byte
		if len(docs) == 1 {
			whole = data
		}
		d.whole = append(d.whole, whole)
		for i, text := range docs {
			d.docs = append(d.docs, document{file: f, index: i, text: text, last: i == len(docs)-1})
		}
	}
	return d, ""
}

// docsAlone says why the fan-out's files could not be read in parts: a
// file some other field of the tree reads too (a generator's, a patch's,
// or a second listing), which would see only the part's documents, as far
// as the kustomizations name it (a quoted string could spell a name in
// escapes, so none may have one); or a patch without a target on the
// spine, which names one object and fails in the parts that lack it.
func (sl *slicer) docsAlone() string {
	texts := map[string][]byte{}
	for dir, n := range sl.t.nodes {
		data, err := sl.fSys.ReadFile(n.file)
		if err != nil {
			return n.file + ": " + err.Error()
		}
		if bytes.IndexByte(data, '\\') >= 0 {
			return n.file + " has an escape sequence, which could name the files built in parts"
		}
		texts[dir] = data
	}
	for _, f := range sl.docs.files {
		name := []byte(filepath.Base(f))
		count := 0
		for _, data := range texts {
			count += bytes.Count(data, name)
		}
		if count != 1 {
			return fmt.Sprintf("%s is named %d times in the tree's kustomizations", f, count)
		}
	}
	for _, n := range sl.spine {
		for _, p := range n.k.Patches {
			if p.Target == nil {
				return n.file + ": a patch without a target, which fails in the parts without its object"
			}
		}
	}
	return ""
}

// docGroups returns the fan-out's documents in parts of about docPartSize,
// keeping together documents that mention one another's names, so that
// kustomize's name references stay inside one part. Documents that many
// others mention (a namespace, the ServiceAccount or ConfigMap every
// workload uses) are shared: every part reads them. It says why not when
// one group would hold most of the documents.
func (sl *slicer) docGroups() (shared []int, groups [][]int, why string) {
	docs := sl.docs.docs
	nodes := make([][]*kyaml.RNode, len(docs))
	byName := map[string][]int{}
	hub := make([]bool, len(docs))
	for i, d := range docs {
		var err error
		if nodes[i], err = readDoc(d.text); err != nil {
			return nil, nil, fmt.Sprintf("%s: %v", sl.describeDoc(i), err)
		}
		for _, n := range nodes[i] {
			if name := n.GetName(); name != "" {
				byName[name] = append(byName[name], i)
			}
			hub[i] = hub[i] || n.GetKind() == "Namespace"
		}
	}
	// Who mentions whom.
	mentioned := make([]map[int]bool, len(docs))
	for i := range docs {
		for _, n := range nodes[i] {
			walkScalars(n.YNode(), func(s *kyaml.Node, isKey, _ bool) {
				if isKey {
					return
				}
				for _, j := range byName[s.Value] {
					if j == i {
						continue
					}
					if mentioned[j] == nil {
						mentioned[j] = map[int]bool{}
					}
					mentioned[j][i] = true
				}
			})
		}
	}
	for j, by := range mentioned {
		hub[j] = hub[j] || len(by) > maxMentions
	}
	together := newUnion(len(docs))
	for j, by := range mentioned {
		for i := range by {
			if !hub[i] && !hub[j] {
				together.join(i, j)
			}
		}
	}
	members := map[int][]int{}
	var roots []int
	for i := range docs {
		if hub[i] {
			shared = append(shared, i)
			continue
		}
		r := together.find(i)
		if _, ok := members[r]; !ok {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}
	var cur []int
	for _, r := range roots {
		g := members[r]
		if 2*len(g) > len(docs) {
			return nil, nil, fmt.Sprintf("%d of the %d documents, %s among them, mention one another's names", len(g), len(docs), sl.describeDoc(g[0]))
		}
		cur = append(cur, g...)
		if len(cur) >= docPartSize {
			groups = append(groups, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	for k, g := range groups {
		groups[k] = append(g, shared...)
		slices.Sort(groups[k])
	}
	return shared, groups, ""
}

// readDoc reads one fan-out document as kio.FromBytes does, inflating
// aliases and merge keys only in the objects that have them: for objects
// without any, kyaml's DeAnchor copies every mapping for nothing, the most
// of what reading the documents costs. One difference: DeAnchor also drops
// a key spelled << that is not a merge key (a quoted "<<"), which readDoc
// keeps; its values can only add mentions, which groups more together,
// never fewer.
func readDoc(text string) ([]*kyaml.RNode, error) {
	nodes, err := (&kio.ByteReader{OmitReaderAnnotations: true, Reader: strings.NewReader(text)}).Read()
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		if anchored(n.YNode()) {
			if err := n.DeAnchor(); err != nil {
				return nil, err
			}
		}
	}
	return nodes, nil
}

// anchored says whether n or a node below it defines an anchor, is an
// alias, or is a merge key.
func anchored(n *kyaml.Node) bool {
	if n.Anchor != "" || n.Kind == kyaml.AliasNode || n.Tag == kyaml.MergeTag {
		return true
	}
	for _, c := range n.Content {
		if anchored(c) {
			return true
		}
	}
	return false
}

// maxMentions is how many documents may mention one before every part
// reads it.
const maxMentions = docPartSize / 4

// union is a set of disjoint groups of 0..n-1.
type union []int

// newUnion returns n groups of one.
func newUnion(n int) union {
	u := make(union, n)
	for i := range u {
		u[i] = i
	}
	return u
}

// join puts i's and j's groups together.
func (u union) join(i, j int) {
	if ri, rj := u.find(i), u.find(j); ri != rj {
		u[max(ri, rj)] = min(ri, rj)
	}
}

// find returns the smallest member of i's group.
func (u union) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

// docOverlays returns the fan-out's files as part s reads them.
func (sl *slicer) docOverlays(s part, out map[string][]byte) {
	for f, p := range sl.docs.files {
		out[p] = sl.docs.content(f, s.entries)
	}
}

// describeDoc names document i of the fan-out.
func (sl *slicer) describeDoc(i int) string {
	d := sl.docs.docs[i]
	return fmt.Sprintf("document %d of %s", d.index+1, sl.docs.files[d.file])
}
