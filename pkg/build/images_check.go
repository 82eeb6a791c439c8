package build

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// buildChecked builds with opts.Images and checks that each matched an
// image (see images_probe.go for how, in the same build).
func buildChecked(disk filesys.FileSystem, dir string, top *topKustomization, opts Options) (*Manifests, error) {
	p, err := newProbe(top, opts.Images)
	if err != nil {
		return nil, err
	}
	m, matched, err := p.run(disk, dir, top, opts)
	if err != nil {
		return nil, err
	}
	names := imageNames(m)
	for _, img := range top.images {
		names[img.Name] = true
	}
	use := &ImageUse{}
	use.add(append(matched, p.decided...), names, p.noops)
	if opts.ImageUse != nil {
		opts.ImageUse.add(append(matched, p.decided...), names, p.noops)
	}
	if opts.AllowUnusedImages {
		return m, nil
	}
	if err := use.Unused(opts.Images); err != nil {
		return nil, err
	}
	return m, nil
}

// run does the builds p needs and returns the output and the overrides
// whose marks showed.
func (p *probe) run(disk filesys.FileSystem, dir string, top *topKustomization, opts Options) (*Manifests, []Image, error) {
	inMain := len(p.marks) - len(p.alone)
	if inMain == 0 && len(p.alone) == 0 {
		m, err := buildImages(disk, dir, top, p.entries, false, opts)
		return m, nil, err
	}
	quiet := opts
	quiet.Origins = nil
	var m *Manifests
	var seen map[int]bool
	if inMain > 0 {
		// With late steps the marked build leaves them out, as they may
		// drop marks; the output is then a build of its own.
		mopts := opts
		if top.late {
			mopts = quiet
		}
		marked, err := buildImages(disk, dir, top, p.marked, top.late, mopts)
		if err != nil {
			return nil, nil, p.markedFailed(disk, dir, top, opts, err)
		}
		s := p.takeMarks(marked)
		seen = s.seen
		if !top.late && !s.strayed {
			m = marked
		}
	}
	if m == nil {
		var err error
		if m, err = buildImages(disk, dir, top, p.entries, false, opts); err != nil {
			return nil, nil, err
		}
	}
	if seen == nil {
		seen = map[int]bool{}
	}
	for _, i := range p.alone {
		// Only the entries up to this one matter to what it matches.
		entries := append(append([]Image(nil), p.entries[:i]...), p.mark(p.entries[i], i))
		alone, err := buildImages(disk, dir, top, entries, true, quiet)
		if err != nil {
			return nil, nil, p.markedFailed(disk, dir, top, opts, err)
		}
		if p.takeMarks(alone).seen[i] {
			seen[i] = true
		}
	}
	var matched []Image
	for i := range seen {
		if o, ok := p.marks[i]; ok {
			matched = append(matched, o)
		}
	}
	return m, matched, nil
}

// markedFailed explains a marked build that failed: with the real build's
// error when it fails too, else by saying the check could not be made.
func (p *probe) markedFailed(disk filesys.FileSystem, dir string, top *topKustomization, opts Options, err error) error {
	if _, rerr := buildImages(disk, dir, top, p.entries, false, opts); rerr != nil {
		return rerr
	}
	return fmt.Errorf("checking that each --image matches an image: the check's build failed where the plain build did not (%v); pass --allow-unused-image to skip the check", err)
}
