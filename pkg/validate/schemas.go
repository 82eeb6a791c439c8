package validate

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/kship/kship/pkg/validate/openapi"
)

// DefaultKubernetesVersion is the version validated against unless
// Options.KubernetesVersion says otherwise: the newest one shipped.
const DefaultKubernetesVersion = "1.37"

// schemaFS holds the OpenAPI v3 schemas kship ships, one directory per
// Kubernetes minor version, as tools/cmd/openapi-dump writes them.
//
//go:embed schemas
var schemaFS embed.FS

// KubernetesVersions lists the versions whose schemas kship ships, "1.37".
func KubernetesVersions() []string {
	entries, _ := fs.ReadDir(schemaFS, "schemas")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, strings.TrimPrefix(e.Name(), "v"))
		}
	}
	slices.Sort(out)
	return out
}

// VersionError is a Kubernetes version kship ships no schemas for.
type VersionError struct{ Version string }

// Error names the version and lists the shipped ones.
func (e *VersionError) Error() string {
	return fmt.Sprintf("no schemas for Kubernetes %s: kship ships %s", e.Version, strings.Join(KubernetesVersions(), ", "))
}

var (
	catalogsMu sync.Mutex
	catalogs   = map[string]*openapi.Catalog{}
)

// catalog returns the shipped schemas of version ("1.37" or "v1.37"),
// opened once per process.
func catalog(version string) (*openapi.Catalog, error) {
	v := strings.TrimPrefix(version, "v")
	if v == "" {
		v = DefaultKubernetesVersion
	}
	catalogsMu.Lock()
	defer catalogsMu.Unlock()
	if c, ok := catalogs[v]; ok {
		return c, nil
	}
	if !slices.Contains(KubernetesVersions(), v) {
		return nil, &VersionError{Version: version}
	}
	c, err := openapi.Open(schemaFS, "schemas/v"+v)
	if err != nil {
		return nil, fmt.Errorf("shipped schemas for Kubernetes %s: %w", v, err)
	}
	catalogs[v] = c
	return c, nil
}
