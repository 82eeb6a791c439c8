package kustomizecli

import (
	"debug/buildinfo"
	"fmt"
)

// APIModule is the module that does the actual rendering, in kship and in the
// CLI alike. Byte parity is only promised between equal versions of it.
const APIModule = "sigs.k8s.io/kustomize/api"

// APIVersion returns the version of APIModule linked into the Go binary at
// path (honouring a replace directive), e.g. "v0.21.2" for kustomize v5.8.2.
func APIVersion(path string) (string, error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading Go build info: %w", err)
	}
	for _, d := range info.Deps {
		if d.Path != APIModule {
			continue
		}
		if d.Replace != nil {
			d = d.Replace
		}
		return d.Version, nil
	}
	return "", fmt.Errorf("%s does not link %s", path, APIModule)
}
