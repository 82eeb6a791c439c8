package build

import (
	"bytes"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
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

// localConfig names a file read so far that may declare an object
// kustomize keeps out of the output (config.kubernetes.io/local-config), or
// returns "". A file that spells the annotation out says so; one with an
// escape sequence might spell it in escapes, so it is parsed and its
// objects' annotations looked at.
func (c *readCache) localConfig() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range slices.Sorted(maps.Keys(c.files)) {
		data := c.files[p]
		if bytes.Contains(data, []byte("local-config")) {
			return p
		}
		if bytes.IndexByte(data, '\\') >= 0 && declaresLocalConfig(data) {
			return p
		}
	}
	return ""
}

// declaresLocalConfig says whether YAML data, parsed, holds a mapping key
// that names the local-config annotation; data that does not parse is
// taken to.
func declaresLocalConfig(data []byte) bool {
	nodes, err := kio.FromBytes(data)
	if err != nil {
		return true
	}
	for _, n := range nodes {
		found := false
		walkScalars(n.YNode(), func(s *kyaml.Node, isKey, _ bool) {
			if isKey && strings.Contains(s.Value, "local-config") {
				found = true
			}
		})
		if found {
			return true
		}
	}
	return false
}
