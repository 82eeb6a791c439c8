package build

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
)

// The default limits on what a build reads. They let through every real
// tree we know of (CRD bundles of tens of MB, anchors used as anchors are
// used) and stop a hostile one long before it exhausts a CI machine's
// memory: kustomize holds some 30 bytes for each byte of YAML it reads.
const (
	DefaultMaxFileSize       = 32 << 20
	DefaultMaxAliasExpansion = 16 << 20
	DefaultMaxBuildSize      = 256 << 20
)

// Limits bound what a build reads, checked on each file before kustomize
// parses it; zero fields take the defaults. kship.yaml's limits: section
// sets them.
type Limits struct {
	// MaxFileSize is the most bytes one file may have.
	MaxFileSize int64
	// MaxAliasExpansion is the most that a YAML file's aliases may add once
	// each is written out in full (see AliasExpansion).
	MaxAliasExpansion int64
	// MaxBuildSize is the most one build may read in all: every file
	// kustomize reads, with its aliases' expansion. A file read again
	// within one kustomize run (or by several parts of a split build)
	// counts once.
	MaxBuildSize int64
}

// withDefaults fills in the zero fields.
func (l Limits) withDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultMaxFileSize
	}
	if l.MaxAliasExpansion <= 0 {
		l.MaxAliasExpansion = DefaultMaxAliasExpansion
	}
	if l.MaxBuildSize <= 0 {
		l.MaxBuildSize = DefaultMaxBuildSize
	}
	return l
}

// LimitError says that a file is too large to read, or expands too much.
type LimitError struct {
	// Path is the file.
	Path string
	// What is exceeded: "size", "alias expansion", "build size", or "not a
	// regular file".
	What string
	// Size is how large the file (or its expansion, or the build) is; when
	// counting stopped early, it is only known to exceed Max.
	Size, Max int64
	// Setting is the kship.yaml setting that raises Max.
	Setting string
}

// Error names the file, what it exceeds and how to raise the limit.
func (e *LimitError) Error() string {
	p := displayPath(e.Path)
	switch e.What {
	case "alias expansion":
		return fmt.Sprintf("%s: its YAML aliases expand to more than %s (each node counts %d bytes besides its value), over the limit: write the repeated parts out, or raise %s in kship.yaml",
			p, quantity(e.Max), NodeCost, e.Setting)
	case "build size":
		return fmt.Sprintf("%s: reading it takes the build past %s in all, over the limit: build less at once, or raise %s in kship.yaml",
			p, quantity(e.Max), e.Setting)
	case "not a regular file":
		return fmt.Sprintf("%s: not a regular file (a device or a pipe, which may never end): point at a file", p)
	}
	size := "it is"
	if e.Size > e.Max+1 { // known exactly, not just past the limit
		size = humanBytes(e.Size) + " is"
	}
	return fmt.Sprintf("%s: %s more than the %s a file may have: split the file, or raise %s in kship.yaml",
		p, size, quantity(e.Max), e.Setting)
}

// quantity renders n bytes as kship.yaml spells sizes, e.g. "32Mi".
func quantity(n int64) string {
	return resource.NewQuantity(n, resource.BinarySI).String()
}

// humanBytes renders n bytes for people: "512 bytes", "2.1 KiB", "40.0 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGT"[exp])
}

// displayPath shows p relative to the working directory when under it.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(p) {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

// The kship.yaml settings, for messages.
const (
	settingFileSize       = "limits.maxFileSize"
	settingAliasExpansion = "limits.maxAliasExpansion"
	settingBuildSize      = "limits.maxBuildSize"
)

// Budget checks files against Limits and counts what has been read, for
// one build or one set of manifests. It is safe for concurrent use.
type Budget struct {
	limits Limits
	mu     sync.Mutex
	read   int64
}

// NewBudget returns a budget with l's limits (defaults for zero fields).
func NewBudget(l Limits) *Budget { return &Budget{limits: l.withDefaults()} }

// CheckSize refuses, before reading, a file of size bytes.
func (b *Budget) CheckSize(name string, size int64) error {
	if size > b.limits.MaxFileSize {
		return &LimitError{Path: name, What: "size", Size: size, Max: b.limits.MaxFileSize, Setting: settingFileSize}
	}
	return nil
}

// Check refuses data, the content of the file name, if it is too large,
// expands too much, or takes the budget past its total; otherwise it
// counts it as read.
func (b *Budget) Check(name string, data []byte) error {
	if err := b.CheckSize(name, int64(len(data))); err != nil {
		return err
	}
	l := b.limits
	grown := AliasExpansion(data, l.MaxAliasExpansion)
	if grown > l.MaxAliasExpansion {
		return &LimitError{Path: name, What: "alias expansion", Size: grown, Max: l.MaxAliasExpansion, Setting: settingAliasExpansion}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if total := b.read + int64(len(data)) + grown; total > l.MaxBuildSize {
		return &LimitError{Path: name, What: "build size", Size: total, Max: l.MaxBuildSize, Setting: settingBuildSize}
	}
	b.read += int64(len(data)) + grown
	return nil
}

// ReadAll reads r, the file name, to its end and checks it; it never reads
// more than one byte past the size limit, so an endless input (a pipe, a
// device) is refused too.
func (b *Budget) ReadAll(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, b.limits.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > b.limits.MaxFileSize {
		return nil, &LimitError{Path: name, What: "size", Size: int64(len(data)), Max: b.limits.MaxFileSize, Setting: settingFileSize}
	}
	if err := b.Check(name, data); err != nil {
		return nil, err
	}
	return data, nil
}
