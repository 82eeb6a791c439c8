package engine

import (
	"fmt"
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
// the directory; ENV/CLUSTER for one cluster of an environment that lists
// several.
func (t *Target) Name() string {
	if t.Env != nil && t.Env.Cluster != "" {
		return t.Env.Name + "/" + t.Env.Cluster
	}
	if t.Env != nil {
		return t.Env.Name
	}
	return t.Dir
}

// Cluster names the cluster of an environment that lists several, "" for
// the others.
func (t *Target) Cluster() string {
	if t.Env == nil {
		return ""
	}
	return t.Env.Cluster
}

// ForClusters returns a target for each named cluster of t's environment
// (every cluster when names is empty); t itself when its environment
// deploys to one cluster.
func (t *Target) ForClusters(names []string) ([]*Target, error) {
	if t.Env == nil {
		if len(names) > 0 {
			return nil, &OptionError{Err: fmt.Errorf("%s: --cluster applies to an environment of kship.yaml that lists 'clusters'", t.Name())}
		}
		return []*Target{t}, nil
	}
	envs, err := t.Env.ForClusters(names)
	if err != nil {
		return nil, &OptionError{Err: err}
	}
	out := make([]*Target, len(envs))
	for i, e := range envs {
		out[i] = &Target{Dir: t.Dir, Env: e, Config: t.Config}
	}
	return out, nil
}

// BuildOptions is opts with the images of t's cluster as its base images:
// they change the parts of the overlay's images they give (a registry),
// and --image applies on top of them.
func (t *Target) BuildOptions(opts build.Options) (build.Options, error) {
	if t.Env == nil || len(t.Env.Images) == 0 {
		return opts, nil
	}
	var imgs []build.Image
	for _, arg := range t.Env.Images {
		img, err := build.ParseImage(arg)
		if err != nil {
			return opts, fmt.Errorf("cluster %s: %w", t.Env.Cluster, err)
		}
		imgs = append(imgs, img)
	}
	opts.BaseImages = imgs
	return opts, nil
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
