package gitfs

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// FS is a commit's tree as a kustomize filesystem, at the work tree's paths.
// Files are read from git the first time they are opened. Writes under the
// root stay in memory; paths outside the root go to disk. Close it when done.
type FS struct {
	root string
	ctx  context.Context
	mem  filesys.FileSystem
	disk filesys.FileSystem

	mu      sync.Mutex
	pending map[string]blobRef // absolute path → blob not read yet
	cat     *catFile
}

var _ filesys.FileSystem = (*FS)(nil)

// blobRef is a blob of the tree and its size, known from the listing.
type blobRef struct {
	sha  string
	size int64
}

// FS returns commit's tree, mounted at r.Root. ctx bounds the git processes
// it runs, until Close.
func (r *Repo) FS(ctx context.Context, commit string) (*FS, error) {
	entries, err := listTree(ctx, r.Root, commit)
	if err != nil {
		return nil, fmt.Errorf("reading the tree of %s: %w", commit, err)
	}
	f := &FS{root: r.Root, ctx: ctx, mem: filesys.MakeFsInMemory(), disk: filesys.MakeFsOnDisk(), pending: map[string]blobRef{}}
	if err := f.mem.MkdirAll(r.Root); err != nil {
		return nil, err
	}
	files, links := map[string]string{}, map[string]string{}
	sizes := map[string]int64{} // by blob
	for _, e := range entries {
		switch {
		case e.mode == modeSymlink:
			target, err := f.blob(e.sha)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", e.path, err)
			}
			if t, ok := linkTarget(e.path, string(target)); ok {
				links[e.path] = t
			}
		case e.mode == modeSubmodule || e.kind != "blob":
			// Submodules are other repositories; their files are not here.
		default:
			files[e.path] = e.sha
			sizes[e.sha] = e.size
		}
	}
	resolveLinks(files, links)
	for p, sha := range files {
		abs := filepath.Join(r.Root, filepath.FromSlash(p))
		if err := f.mem.WriteFile(abs, nil); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		f.pending[abs] = blobRef{sha, sizes[sha]}
	}
	return f, nil
}

// Close stops the git process that reads file contents.
func (f *FS) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cat == nil {
		return nil
	}
	err := f.cat.close()
	f.cat = nil
	return err
}

// blob reads one blob, starting `git cat-file --batch` on first use.
func (f *FS) blob(sha string) ([]byte, error) {
	if f.cat == nil {
		c, err := startCatFile(f.ctx, f.root)
		if err != nil {
			return nil, err
		}
		f.cat = c
	}
	return f.cat.blob(sha)
}

// local returns p made absolute and whether it lies under the root.
func (f *FS) local(p string) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p, false
	}
	if f.root == string(filepath.Separator) {
		return abs, true
	}
	return abs, abs == f.root || strings.HasPrefix(abs, f.root+string(filepath.Separator))
}

// load reads the content of the file at abs from git, if not read yet.
func (f *FS) load(abs string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	ref, ok := f.pending[abs]
	if !ok {
		return nil
	}
	data, err := f.blob(ref.sha)
	if err != nil {
		return fmt.Errorf("%s: %w", abs, err)
	}
	delete(f.pending, abs)
	return f.mem.WriteFile(abs, data)
}

// forget drops pending reads at or under abs, which a write replaced.
func (f *FS) forget(abs string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for p := range f.pending {
		if p == abs || strings.HasPrefix(p, abs+string(filepath.Separator)) {
			delete(f.pending, p)
		}
	}
}
