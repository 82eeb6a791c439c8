package engine

import (
	"path/filepath"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/config"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Target is what the engine works on: a kustomization directory and, when
// kship.yaml names it, its environment.
type Target struct {
	Dir    string
	Env    *config.Environment // nil for a directory no environment names
	Config *config.Config      // nil when there is no kship.yaml
}

// Name is how messages refer to the target: the environment's name, else
// the directory.
func (t *Target) Name() string {
	if t.Env != nil {
		return t.Env.Name
	}
	return t.Dir
}

// Sources returns, for validation findings, the file each object of t's
// build came from (origins records them), relative to kship.yaml's
// directory, or to the working directory without one.
func Sources(t *Target, origins build.Origins) func(*unstructured.Unstructured) string {
	return func(obj *unstructured.Unstructured) string {
		o := origins.Of(obj)
		if o == nil || t.Dir == "" {
			return ""
		}
		if o.Repo != "" {
			return o.Repo + "//" + o.Path
		}
		p, suffix := o.Path, ""
		if p == "" {
			p = o.ConfiguredIn
			if o.ConfiguredBy.Kind != "" {
				suffix = " (" + o.ConfiguredBy.Kind + ")"
			}
		}
		if p == "" {
			return ""
		}
		return t.rel(filepath.Join(t.Dir, p)) + suffix
	}
}

func (t *Target) rel(p string) string {
	if t.Config != nil {
		if abs, err := filepath.Abs(p); err == nil {
			return filepath.ToSlash(t.Config.Rel(abs))
		}
	}
	if rel, err := filepath.Rel(".", p); err == nil {
		return filepath.ToSlash(rel)
	}
	return p
}
