package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Reuse keeps the parts of split builds for the rest of one run, so that a
// part whose inputs are the same in a later build (the other side of
// `diff --base`, another environment of --all) is not built again. A part
// is reused only when every question its build asked of the filesystem
// (each file's content, whether a path exists or is a directory, a
// directory's listing), relative to the build's directory, gets the same
// answer, with the same options. The zero value is ready to use and safe
// for concurrent use; it is never written to disk.
type Reuse struct {
	mu    sync.Mutex
	parts map[string][]*keptPart // by what the part changes and the options
	// Reused counts the parts taken from it, for the tests.
	reused int
}

// keptPart is one part's build: what it asked and what it made.
type keptPart struct {
	asked []query
	made  []*resource.Resource
}

// Reused is how many parts were taken from r instead of built.
func (r *Reuse) Reused() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reused
}

// find returns a copy of a kept part with key whose questions fSys answers
// the same way below dir.
func (r *Reuse) find(key string, fSys filesys.FileSystem, dir string) []*resource.Resource {
	r.mu.Lock()
	kept := slices.Clone(r.parts[key])
	r.mu.Unlock()
	for _, k := range kept {
		if answersSame(k.asked, fSys, dir) {
			r.mu.Lock()
			r.reused++
			r.mu.Unlock()
			return copyResources(k.made)
		}
	}
	return nil
}

// keep records a part's build.
func (r *Reuse) keep(key string, asked []query, made []*resource.Resource) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.parts == nil {
		r.parts = map[string][]*keptPart{}
	}
	r.parts[key] = append(r.parts[key], &keptPart{asked: asked, made: copyResources(made)})
}

func copyResources(in []*resource.Resource) []*resource.Resource {
	out := make([]*resource.Resource, len(in))
	for i, r := range in {
		out[i] = r.DeepCopy()
	}
	return out
}

// query is one question a build asked of its filesystem, with the path
// relative to the build's directory, and the answer.
type query struct {
	op, path, answer string
}

// answersSame says whether fSys answers every question below dir as it
// was answered.
func answersSame(asked []query, fSys filesys.FileSystem, dir string) bool {
	for _, q := range asked {
		if ask(fSys, q.op, filepath.Join(dir, q.path), dir) != q.answer {
			return false
		}
	}
	return true
}

// ask puts question op about p to fSys and returns the answer as text,
// paths in it relative to dir, as asking records it.
func ask(fSys filesys.FileSystem, op, p, dir string) string {
	switch op {
	case "read":
		return readAnswer(fSys.ReadFile(p))
	case "exists":
		return fmt.Sprint(fSys.Exists(p))
	case "isdir":
		return fmt.Sprint(fSys.IsDir(p))
	case "abs":
		d, f, err := fSys.CleanedAbs(p)
		return absAnswer(dir, d, f, err)
	case "glob":
		m, err := fSys.Glob(p)
		return listAnswer(dir, m, err)
	case "readdir":
		m, err := fSys.ReadDir(p)
		return listAnswer("", m, err)
	}
	return "unknown"
}

// readAnswer is a file's content hash, or that it could not be read.
func readAnswer(data []byte, err error) string {
	if err != nil {
		return "error"
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func absAnswer(dir string, d filesys.ConfirmedDir, f string, err error) string {
	if err != nil {
		return "error"
	}
	return relTo(dir, d.String()) + "\x00" + f
}

// listAnswer is a list of paths, made relative to dir unless it is "".
func listAnswer(dir string, ps []string, err error) string {
	if err != nil {
		return "error"
	}
	if dir == "" {
		return strings.Join(ps, "\x00")
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = relTo(dir, p)
	}
	return strings.Join(out, "\x00")
}

func relTo(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil {
		return rel
	}
	return p
}

// asking is a filesystem that records the questions a build asks of the
// one under it. A build that uses anything else (opening or walking files)
// cannot be kept: tainted.
type asking struct {
	filesys.FileSystem
	dir string

	mu      sync.Mutex
	asked   []query
	seen    map[query]bool
	tainted bool
}

func (a *asking) record(op, p, answer string) {
	q := query{op: op, path: relTo(a.dir, filepath.Clean(p)), answer: answer}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seen == nil {
		a.seen = map[query]bool{}
	}
	if !a.seen[q] {
		a.seen[q] = true
		a.asked = append(a.asked, q)
	}
}

func (a *asking) ReadFile(p string) ([]byte, error) {
	data, err := a.FileSystem.ReadFile(p)
	a.record("read", p, readAnswer(data, err))
	return data, err
}

func (a *asking) Exists(p string) bool {
	ok := a.FileSystem.Exists(p)
	a.record("exists", p, fmt.Sprint(ok))
	return ok
}

func (a *asking) IsDir(p string) bool {
	ok := a.FileSystem.IsDir(p)
	a.record("isdir", p, fmt.Sprint(ok))
	return ok
}

func (a *asking) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	d, f, err := a.FileSystem.CleanedAbs(p)
	a.record("abs", p, absAnswer(a.dir, d, f, err))
	return d, f, err
}

func (a *asking) Glob(pattern string) ([]string, error) {
	m, err := a.FileSystem.Glob(pattern)
	a.record("glob", pattern, listAnswer(a.dir, m, err))
	return m, err
}

func (a *asking) ReadDir(p string) ([]string, error) {
	m, err := a.FileSystem.ReadDir(p)
	a.record("readdir", p, listAnswer("", m, err))
	return m, err
}

func (a *asking) Open(p string) (filesys.File, error) {
	a.taint()
	return a.FileSystem.Open(p)
}

func (a *asking) Walk(p string, fn filepath.WalkFunc) error {
	a.taint()
	return a.FileSystem.Walk(p, fn)
}

func (a *asking) taint() {
	a.mu.Lock()
	a.tainted = true
	a.mu.Unlock()
}
