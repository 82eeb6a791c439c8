package config

import (
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// lines remembers where things are in kship.yaml, for errors.
type lines struct {
	env     map[string]int // the line of each environment's key
	overlay map[string]int // the line of each environment's overlay value
	// readiness is the line of each readiness rule, in order.
	readiness []int
}

// findLines reads the positions of environments and their overlays from
// data; it never fails: what it cannot find has line 0.
func findLines(data []byte) lines {
	l := lines{env: map[string]int{}, overlay: map[string]int{}}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return l
	}
	if rules := field(doc.Content[0], "readiness"); rules != nil && rules.Kind == yaml.SequenceNode {
		for _, r := range rules.Content {
			l.readiness = append(l.readiness, r.Line)
		}
	}
	envs := field(doc.Content[0], "environments")
	if envs == nil || envs.Kind != yaml.MappingNode {
		return l
	}
	for i := 0; i+1 < len(envs.Content); i += 2 {
		name := envs.Content[i].Value
		l.env[name] = envs.Content[i].Line
		if o := field(envs.Content[i+1], "overlay"); o != nil {
			l.overlay[name] = o.Line
		}
	}
	return l
}

// field returns the value of key in mapping node m, or nil.
func field(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// at prefixes a message with path and, when known, the line: "kship.yaml:7".
func at(path string, line int) string {
	if line <= 0 {
		return path
	}
	return path + ":" + strconv.Itoa(line)
}
