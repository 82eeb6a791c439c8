package openapi

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// Kind is one resource kind a Kubernetes version serves.
type Kind struct {
	GroupVersion string
	Kind         string
	// Resource is the plural resource name, "deployments".
	Resource   string
	Namespaced bool
	schemaName string
	gv         *groupVersion
	once       sync.Once
	schema     *Schema
	err        error
}

// Schema returns the kind's compiled schema, loading its group-version's
// document on first use. Safe for concurrent use.
func (k *Kind) Schema() (*Schema, error) {
	k.once.Do(func() {
		var c *lockedCompiler
		if c, k.err = k.gv.load(); k.err == nil {
			k.schema, k.err = c.component(k.schemaName)
		}
	})
	return k.schema, k.err
}

// Catalog is the API of one Kubernetes version, as openapi-dump wrote it:
// index.json and one gzip'd OpenAPI v3 document per group-version.
type Catalog struct {
	// Version is the Kubernetes version the schemas were read from, "v1.37.1".
	Version string
	kinds   map[string]*Kind // by "group/version Kind"
	byKind  map[string][]*Kind
	groups  map[string]bool
	core    *groupVersion
}

type groupVersion struct {
	fsys fs.FS
	file string
	once sync.Once
	c    *compiler
	err  error
}

// load decompresses and parses the document once; the compiler then
// compiles components as they are asked for, under a lock.
func (g *groupVersion) load() (*lockedCompiler, error) {
	g.once.Do(func() {
		var comps map[string]any
		comps, g.err = readComponents(g.fsys, g.file)
		if g.err == nil {
			g.c = newCompiler(comps, false)
		}
	})
	if g.err != nil {
		return nil, g.err
	}
	return &lockedCompiler{g: g}, nil
}

// compileMu guards every built-in compiler: compiling is rare and quick,
// after which lookups hit the done map.
var compileMu sync.Mutex

type lockedCompiler struct{ g *groupVersion }

func (l *lockedCompiler) component(name string) (*Schema, error) {
	compileMu.Lock()
	defer compileMu.Unlock()
	return l.g.c.component(name)
}

type indexFile struct {
	KubernetesVersion string `json:"kubernetesVersion"`
	GroupVersions     []struct {
		GroupVersion string `json:"groupVersion"`
		File         string `json:"file"`
		Resources    []struct {
			Kind       string `json:"kind"`
			Name       string `json:"name"`
			Namespaced bool   `json:"namespaced"`
			Schema     string `json:"schema"`
		} `json:"resources"`
	} `json:"groupVersions"`
}

// Open reads the catalog in dir of fsys.
func Open(fsys fs.FS, dir string) (*Catalog, error) {
	b, err := fs.ReadFile(fsys, path.Join(dir, "index.json"))
	if err != nil {
		return nil, err
	}
	var idx indexFile
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s/index.json: %w", dir, err)
	}
	c := &Catalog{Version: idx.KubernetesVersion, kinds: map[string]*Kind{}, byKind: map[string][]*Kind{}, groups: map[string]bool{}}
	for _, gv := range idx.GroupVersions {
		g := &groupVersion{fsys: fsys, file: path.Join(dir, gv.File)}
		if gv.GroupVersion == "v1" {
			c.core = g
		}
		group, _, _ := strings.Cut(gv.GroupVersion, "/")
		if !strings.Contains(gv.GroupVersion, "/") {
			group = ""
		}
		c.groups[group] = true
		for _, r := range gv.Resources {
			k := &Kind{GroupVersion: gv.GroupVersion, Kind: r.Kind, Resource: r.Name, Namespaced: r.Namespaced, schemaName: r.Schema, gv: g}
			c.kinds[gv.GroupVersion+" "+r.Kind] = k
			c.byKind[r.Kind] = append(c.byKind[r.Kind], k)
		}
	}
	if c.core == nil {
		return nil, fmt.Errorf("%s/index.json: no core v1 group-version", dir)
	}
	return c, nil
}

// Lookup returns the kind apiVersion serves under that name, if any.
func (c *Catalog) Lookup(apiVersion, kind string) (*Kind, bool) {
	k, ok := c.kinds[apiVersion+" "+kind]
	return k, ok
}

// KindsOf returns the kinds apiVersion serves, sorted.
func (c *Catalog) KindsOf(apiVersion string) []string {
	var out []string
	for _, k := range c.kinds {
		if k.GroupVersion == apiVersion {
			out = append(out, k.Kind)
		}
	}
	slices.Sort(out)
	return out
}

// ServedAs returns every group-version that serves a kind of this name.
func (c *Catalog) ServedAs(kind string) []*Kind { return c.byKind[kind] }

// HasGroup reports whether the version serves any kind in group ("" is core).
func (c *Catalog) HasGroup(group string) bool { return c.groups[group] }

// ObjectMeta returns the schema of metadata, for CRD instances.
func (c *Catalog) ObjectMeta() (*Schema, error) {
	l, err := c.core.load()
	if err != nil {
		return nil, err
	}
	return l.component(ObjectMetaName)
}

func readComponents(fsys fs.FS, file string) (map[string]any, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return doc.Components.Schemas, nil
}
