package validate

import (
	"fmt"
	"strconv"
)

// checkPodSpec applies the API server's own pod spec rules that the OpenAPI
// schema cannot express and that builds get wrong most: at least one
// container, each with an image and a unique name, and ports in range.
func (c *checker) checkPodSpec(f *findings, o *manifest) {
	t, ok := podTemplateOf(o)
	if !ok {
		return
	}
	if len(getList(t.spec, "containers")) == 0 && get(t.spec, "containers") != nil {
		f.add(o, t.path+".containers", RuleRequired, "a pod needs at least one container")
	}
	seen := map[string]string{}
	for _, ctr := range t.containers() {
		if img := get(ctr.m, "image"); img == nil || img == "" {
			f.add(o, ctr.path+".image", RuleRequired, "required field is missing: every container needs an image")
		}
		if name := ctr.name(); name != "" {
			if first, dup := seen[name]; dup {
				f.add(o, ctr.path+".name", RuleConstraint, "container name %q is already used by %s", name, first)
			} else {
				seen[name] = ctr.path
			}
		}
		for i, p := range getList(ctr.m, "ports") {
			port, _ := p.(map[string]any)
			for _, field := range []string{"containerPort", "hostPort"} {
				if n, ok := number(port[field]); ok && (n < 1 || n > 65535) && !(field == "hostPort" && n == 0) {
					f.add(o, fmt.Sprintf("%s.ports[%d].%s", ctr.path, i, field), RuleConstraint, "port %s is not between 1 and 65535", strconv.FormatInt(n, 10))
				}
			}
		}
	}
}
