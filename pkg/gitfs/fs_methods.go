package gitfs

import (
	"os"
	"path/filepath"
	"time"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The filesys.FileSystem methods: under the root from the commit (in
// memory), elsewhere from disk.

// Create creates an empty file; under the root, in memory only.
func (f *FS) Create(p string) (filesys.File, error) {
	abs, in := f.local(p)
	if !in {
		return f.disk.Create(p)
	}
	f.forget(abs)
	return f.mem.Create(abs)
}

// Mkdir makes a directory; under the root, in memory only.
func (f *FS) Mkdir(p string) error {
	if abs, in := f.local(p); in {
		return f.mem.Mkdir(abs)
	}
	return f.disk.Mkdir(p)
}

// MkdirAll makes a directory and its parents; under the root, in memory only.
func (f *FS) MkdirAll(p string) error {
	if abs, in := f.local(p); in {
		return f.mem.MkdirAll(abs)
	}
	return f.disk.MkdirAll(p)
}

// RemoveAll removes p and what it holds; under the root, in memory only.
func (f *FS) RemoveAll(p string) error {
	abs, in := f.local(p)
	if !in {
		return f.disk.RemoveAll(p)
	}
	f.forget(abs)
	return f.mem.RemoveAll(abs)
}

// Open opens a file for reading.
func (f *FS) Open(p string) (filesys.File, error) {
	abs, in := f.local(p)
	if !in {
		return f.disk.Open(p)
	}
	if err := f.load(abs); err != nil {
		return nil, err
	}
	return f.mem.Open(abs)
}

// IsDir reports whether p is a directory.
func (f *FS) IsDir(p string) bool {
	if abs, in := f.local(p); in {
		return f.mem.IsDir(abs)
	}
	return f.disk.IsDir(p)
}

// ReadDir lists the names in directory p.
func (f *FS) ReadDir(p string) ([]string, error) {
	if abs, in := f.local(p); in {
		return f.mem.ReadDir(abs)
	}
	return f.disk.ReadDir(p)
}

// CleanedAbs splits p into a confirmed directory and a file name.
func (f *FS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if abs, in := f.local(p); in {
		return f.mem.CleanedAbs(abs)
	}
	return f.disk.CleanedAbs(p)
}

// Exists reports whether p exists.
func (f *FS) Exists(p string) bool {
	if abs, in := f.local(p); in {
		return f.mem.Exists(abs)
	}
	return f.disk.Exists(p)
}

// Glob returns the files matching pattern.
func (f *FS) Glob(pattern string) ([]string, error) {
	if abs, in := f.local(pattern); in {
		return f.mem.Glob(abs)
	}
	return f.disk.Glob(pattern)
}

// ReadFile returns the content of file p.
func (f *FS) ReadFile(p string) ([]byte, error) {
	abs, in := f.local(p)
	if !in {
		return f.disk.ReadFile(p)
	}
	if err := f.load(abs); err != nil {
		return nil, err
	}
	return f.mem.ReadFile(abs)
}

// WriteFile writes data to file p; under the root, in memory only.
func (f *FS) WriteFile(p string, data []byte) error {
	abs, in := f.local(p)
	if !in {
		return f.disk.WriteFile(p, data)
	}
	f.forget(abs)
	return f.mem.WriteFile(abs, data)
}

// Walk walks the tree at p in lexical order.
func (f *FS) Walk(p string, fn filepath.WalkFunc) error {
	if abs, in := f.local(p); in {
		return f.mem.Walk(abs, fn)
	}
	return f.disk.Walk(p, fn)
}

// Stat describes the file at p without reading it: a file of the commit
// not read yet by its size in the tree listing, so that a caller can
// refuse a huge blob before it is loaded into memory.
func (f *FS) Stat(p string) (os.FileInfo, error) {
	abs, in := f.local(p)
	if !in {
		return os.Stat(p)
	}
	f.mu.Lock()
	ref, pending := f.pending[abs]
	f.mu.Unlock()
	if pending {
		return blobInfo{name: filepath.Base(abs), size: ref.size}, nil
	}
	file, err := f.mem.Open(abs)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return file.Stat()
}

// blobInfo describes a file of the commit that is not read yet.
type blobInfo struct {
	name string
	size int64
}

func (b blobInfo) Name() string       { return b.name }
func (b blobInfo) Size() int64        { return b.size }
func (b blobInfo) Mode() os.FileMode  { return 0o444 }
func (b blobInfo) ModTime() time.Time { return time.Time{} }
func (b blobInfo) IsDir() bool        { return false }
func (b blobInfo) Sys() any           { return nil }
