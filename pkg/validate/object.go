package validate

import (
	"strings"

	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// originAnnotation is where kustomize's buildMetadata: [originAnnotations]
// records an object's source.
const originAnnotation = "config.kubernetes.io/origin"

// manifest is one built object with what the checks need to know about it.
type manifest struct {
	u   *unstructured.Unstructured
	m   map[string]any // u.Object
	ref object.Ref
	// apiVersion is as written, valid or not: the checks say which.
	apiVersion string
	group      string
	source     string
	// secret is true for core/v1 Secrets, whose values are never quoted.
	secret bool
}

func newManifest(u *unstructured.Unstructured, opts *Options) *manifest {
	o := &manifest{u: u, m: u.Object}
	o.apiVersion = u.GetAPIVersion()
	if g, _, ok := strings.Cut(o.apiVersion, "/"); ok {
		o.group = g
	}
	// Not object.RefOf: it drops the kind of an object whose apiVersion does
	// not parse, and validate reports on exactly those.
	o.ref = object.Ref{Group: o.group, Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
	o.secret = o.ref.Kind == "Secret" && o.apiVersion == "v1"
	if opts.Source != nil {
		o.source = opts.Source(u)
	}
	if o.source == "" {
		o.source = originPath(u.GetAnnotations()[originAnnotation])
	}
	return o
}

// originPath renders kustomize's origin annotation as a file name: the
// resource file, or the kustomization that generated the object.
func originPath(annotation string) string {
	if annotation == "" {
		return ""
	}
	var o struct {
		Path         string `json:"path"`
		Repo         string `json:"repo"`
		Ref          string `json:"ref"`
		ConfiguredIn string `json:"configuredIn"`
		ConfiguredBy struct {
			Kind string `json:"kind"`
		} `json:"configuredBy"`
	}
	if err := yaml.Unmarshal([]byte(annotation), &o); err != nil {
		return ""
	}
	p := o.Path
	if p == "" && o.ConfiguredIn != "" {
		p = o.ConfiguredIn
		if o.ConfiguredBy.Kind != "" {
			p += " (" + o.ConfiguredBy.Kind + ")"
		}
	}
	if o.Repo != "" {
		p = o.Repo + "//" + p
		if o.Ref != "" {
			p += "?ref=" + o.Ref
		}
	}
	return p
}

// get walks m along keys and returns what is there, or nil.
func get(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// getMap is get for an object value.
func getMap(m map[string]any, keys ...string) map[string]any {
	v, _ := get(m, keys...).(map[string]any)
	return v
}

// getString is get for a string value.
func getString(m map[string]any, keys ...string) string {
	v, _ := get(m, keys...).(string)
	return v
}

// getList is get for a list value.
func getList(m map[string]any, keys ...string) []any {
	v, _ := get(m, keys...).([]any)
	return v
}

// stringMap returns the string entries of a map value, such as labels.
func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, e := range m {
		if s, ok := e.(string); ok {
			out[k] = s
		}
	}
	return out
}
