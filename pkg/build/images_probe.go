package build

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"

	"sigs.k8s.io/kustomize/api/filters/imagetag"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Whether an override matches an image is decided in the build itself, not
// by a second one: each override the top kustomization has no entry for
// (the others match by definition) runs with a mark appended to the tag,
// digest or new name it sets. kustomize's own images transformer, with every
// field spec of the tree (configurations: included), then leaves the mark in
// exactly the images the override matched, in the state the transformer
// saw: after lower overlays, components and the top's patches. The marks are
// read and removed from the result, which is then the build's output.
//
// A mark is letters and digits, which kustomize's matching accepts in a tag
// or digest, so entries that run after a marked one match as they would
// without it. Where that does not hold (a later entry that would overwrite
// or stop matching the mark), or where a mark left the image fields (copied
// by a replacement into a hashed ConfigMap, say), the probe says so and the
// caller builds again: rare trees pay a second build, common ones do not.

// probe is the plan for one build: the entries as kustomize runs them
// (sorted by name), and which carry a mark.
type probe struct {
	nonce   string
	entries []Image // unmarked, as the real build runs them
	marked  []Image // entries with marks on the overrides to check
	// marks maps a mark's number to the override it checks.
	marks map[int]Image
	// alone are overrides whose mark a later entry would overwrite: each
	// is checked by a build of its own, with the entries after it left out.
	alone []int
	// decided are the overrides known to match without looking: the top
	// kustomization has an entry of that name.
	decided []Image
	// noops are overrides that would set nothing at all ("NAME=*" with no
	// entry to keep values of).
	noops []Image
}

func newProbe(top *topKustomization, overrides []Image) (*probe, error) {
	nonce := make([]byte, 6)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	p := &probe{nonce: hex.EncodeToString(nonce), entries: mergeImages(top.images, overrides), marks: map[int]Image{}}
	p.marked = append([]Image(nil), p.entries...)
	byName := map[string]Image{}
	for _, o := range overrides {
		byName[o.Name] = o
	}
	for i, e := range p.entries {
		o, ok := byName[e.Name]
		switch {
		case !ok:
		case top.has(e.Name):
			p.decided = append(p.decided, o)
		case e.NewName == "" && e.NewTag == "" && e.Digest == "":
			p.noops = append(p.noops, o)
		case p.overwritten(i):
			p.marks[i] = o
			p.alone = append(p.alone, i)
		default:
			p.marks[i] = o
			p.marked[i] = p.mark(e, i)
		}
	}
	return p, nil
}

// mark returns e with mark number i added to what it sets: its tag, else
// its digest, else its new name.
func (p *probe) mark(e Image, i int) Image {
	m := fmt.Sprintf("kshipprobe%sx%dz", p.nonce, i)
	switch {
	case e.NewTag != "":
		e.NewTag += m
	case e.Digest != "":
		e.Digest += m
	default:
		e.NewName += m
	}
	return e
}

// marksIn returns the pattern of p's marks; its group is the mark's number.
func (p *probe) marksIn() *regexp.Regexp {
	return regexp.MustCompile(`kshipprobe` + p.nonce + `x([0-9]+)z`)
}

// overwritten says whether an entry after entries[i] may match what
// entries[i] produces and then drop or stop matching its mark.
func (p *probe) overwritten(i int) bool {
	e := p.entries[i]
	name := e.NewName
	if name == "" {
		// It keeps the matched image's name, which entries match by name.
		name = e.Name
	}
	samples := []string{joinRef(name, "t", "")}
	inName := e.NewTag == "" && e.Digest == ""
	if inName {
		samples = append(samples, joinRef(p.mark(e, i).NewName, "t", ""))
	}
	for _, later := range p.entries[i+1:] {
		if !kustomizeMatches(later.Name, samples...) {
			continue
		}
		switch {
		case inName:
			return true // the mark is in the name, which later entries match
		case e.NewTag != "" && (later.NewTag != "" || later.Digest != ""):
			return true // the tag, and the mark with it, is replaced
		case e.NewTag == "" && (later.NewTag != "" || later.Digest != "" || later.TagSuffix != ""):
			return true // the digest, and the mark with it, is replaced or dropped
		}
	}
	return false
}

// kustomizeMatches says whether kustomize's images transformer applies an
// images entry named name to a container whose image is one of values. It
// asks kustomize's own filter, on a Pod with one container per value.
func kustomizeMatches(name string, values ...string) bool {
	pod := kyaml.NewMapRNode(&map[string]string{"apiVersion": "v1", "kind": "Pod"})
	if err := pod.PipeE(kyaml.SetField("metadata", kyaml.NewMapRNode(&map[string]string{"name": "probe"}))); err != nil {
		return false
	}
	list, err := pod.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "spec", "containers"))
	if err != nil {
		return false
	}
	var images []*kyaml.Node
	for _, v := range values {
		c := kyaml.NewMapRNode(&map[string]string{"name": "c", "image": v})
		if err := list.PipeE(kyaml.Append(c.YNode())); err != nil {
			return false
		}
		images = append(images, c.Field("image").Value.YNode())
	}
	// A new name no value can have, so that any match shows.
	f := imagetag.LegacyFilter{ImageTag: Image{Name: name, NewName: "kship-probe-matched", NewTag: "kship-probe-matched"}}
	if _, err := f.Filter([]*kyaml.RNode{pod}); err != nil {
		return false
	}
	for i, img := range images {
		if img.Value != values[i] {
			return true
		}
	}
	return false
}
