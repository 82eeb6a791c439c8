package build

import (
	"path/filepath"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// readCache reads each file from the filesystem under it once, for builds
// that read the same files many times (a split build's parts share their
// kustomizations): the limits are checked and SOPS files decrypted once per
// file. Every call to the filesystem under it is serialized, so that one
// that is not safe for concurrent use can serve concurrent builds.
type readCache struct {
	filesys.FileSystem

	mu    sync.Mutex
	files map[string][]byte
}

func newReadCache(fSys filesys.FileSystem) *readCache {
	return &readCache{FileSystem: fSys, files: map[string][]byte{}}
}

// ReadFile returns the file at p, reading it the first time only.
func (c *readCache) ReadFile(p string) ([]byte, error) {
	key := filepath.Clean(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if data, ok := c.files[key]; ok {
		return append([]byte(nil), data...), nil
	}
	data, err := c.FileSystem.ReadFile(p)
	if err != nil {
		return nil, err
	}
	c.files[key] = data
	return append([]byte(nil), data...), nil
}

// Exists reports whether p exists.
func (c *readCache) Exists(p string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.FileSystem.Exists(p)
}

// IsDir reports whether p is a directory.
func (c *readCache) IsDir(p string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.FileSystem.IsDir(p)
}

// CleanedAbs is the filesystem's.
func (c *readCache) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.FileSystem.CleanedAbs(p)
}

// Glob is the filesystem's.
func (c *readCache) Glob(pattern string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.FileSystem.Glob(pattern)
}

// ReadDir is the filesystem's.
func (c *readCache) ReadDir(p string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.FileSystem.ReadDir(p)
}
