package validate

import "strconv"

// podTemplate is the pod a workload runs: its labels and spec, and where
// in the object the spec is.
type podTemplate struct {
	o      *manifest
	path   string // the spec's path, "spec.template.spec"
	spec   map[string]any
	labels map[string]string
}

// templatePaths says where each workload kind keeps its pod template
// (metadata and spec); a Pod is its own.
var templatePaths = map[string][]string{
	"apps/v1 Deployment":       {"spec", "template"},
	"apps/v1 StatefulSet":      {"spec", "template"},
	"apps/v1 DaemonSet":        {"spec", "template"},
	"apps/v1 ReplicaSet":       {"spec", "template"},
	"batch/v1 Job":             {"spec", "template"},
	"batch/v1 CronJob":         {"spec", "jobTemplate", "spec", "template"},
	"v1 ReplicationController": {"spec", "template"},
	"v1 PodTemplate":           {"template"},
	"v1 Pod":                   {},
}

// podTemplateOf returns o's pod template, if o is a workload that has one.
func podTemplateOf(o *manifest) (*podTemplate, bool) {
	keys, ok := templatePaths[o.apiVersion+" "+o.ref.Kind]
	if !ok {
		return nil, false
	}
	tmpl := o.m
	if len(keys) > 0 {
		tmpl = getMap(o.m, keys...)
	}
	spec := getMap(tmpl, "spec")
	if spec == nil {
		return nil, false
	}
	path := "spec"
	for i := len(keys) - 1; i >= 0; i-- {
		path = keys[i] + "." + path
	}
	return &podTemplate{o: o, path: path, spec: spec, labels: stringMap(get(tmpl, "metadata", "labels"))}, true
}

// container is one container of a pod template.
type container struct {
	m    map[string]any
	path string // "spec.template.spec.containers[0]"
	init bool
}

// containers lists the template's init containers and containers.
func (t *podTemplate) containers() []container {
	var out []container
	for _, field := range []string{"initContainers", "containers"} {
		for i, c := range getList(t.spec, field) {
			if m, ok := c.(map[string]any); ok {
				out = append(out, container{m: m, path: t.path + "." + field + "[" + strconv.Itoa(i) + "]", init: field == "initContainers"})
			}
		}
	}
	return out
}

// name is the container's name, for messages.
func (c container) name() string { return getString(c.m, "name") }

// templates returns every pod template in the build.
func (c *checker) templates() []*podTemplate {
	var out []*podTemplate
	for _, o := range c.objs {
		if t, ok := podTemplateOf(o); ok {
			out = append(out, t)
		}
	}
	return out
}
