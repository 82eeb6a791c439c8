package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ref is a workload's reference to a ConfigMap, Secret, ServiceAccount or
// PersistentVolumeClaim by name, and maybe to one of its keys.
type ref struct {
	kind     string
	name     string
	key      string
	optional bool
	field    string // where the name is
	keyField string // where the key is
	keyOnly  bool   // a volume item: its volume reports a missing object
}

// refRules says which rule reports a missing object of each kind.
var refRules = map[string]string{
	"ConfigMap": RuleRefConfigMap, "Secret": RuleRefSecret,
	"ServiceAccount": RuleRefSA, "PersistentVolumeClaim": RuleRefPVC,
}

// references reports workloads that refer to objects the build does not
// contain and kship.yaml does not declare external.
func (c *checker) references(f *findings) {
	byName := map[string]*manifest{}
	for _, o := range c.objs {
		if o.group == "" && refRules[o.ref.Kind] != "" {
			byName[o.ref.Kind+"/"+o.ref.Namespace+"/"+o.ref.Name] = o
		}
	}
	for _, t := range c.templates() {
		for _, r := range podRefs(t) {
			if r.optional || r.name == "" {
				continue
			}
			target, ok := byName[r.kind+"/"+t.o.ref.Namespace+"/"+r.name]
			switch {
			case ok && r.key != "":
				c.checkKey(f, t.o, target, r)
			case !ok && !r.keyOnly && !c.external(r):
				f.add(t.o, r.field, refRules[r.kind], "%s", c.missing(t.o, r))
			}
		}
	}
}

// external reports whether kship.yaml declares r's target external.
func (c *checker) external(r ref) bool {
	e := c.opts.External
	switch r.kind {
	case "ConfigMap":
		return declared(e.ConfigMaps, r.name)
	case "Secret":
		return declared(e.Secrets, r.name)
	case "ServiceAccount":
		return declared(e.ServiceAccounts, r.name)
	}
	return declared(e.PersistentVolumeClaims, r.name)
}

var externalKeys = map[string]string{
	"ConfigMap": "configMaps", "Secret": "secrets",
	"ServiceAccount": "serviceAccounts", "PersistentVolumeClaim": "persistentVolumeClaims",
}

// generatedSuffix is the hash kustomize's generators append to names.
var generatedSuffix = regexp.MustCompile(`^-[a-z0-9]{10}$`)

// missing explains a reference to an object the build lacks, with the most
// likely cause: a generated name that kustomize did not rewrite here.
func (c *checker) missing(o *manifest, r ref) string {
	msg := fmt.Sprintf("%s %q is not in the build", r.kind, r.name)
	var generated, elsewhere []string
	for _, t := range c.objs {
		if t.ref.Kind != r.kind || t.group != "" {
			continue
		}
		suffix, isGen := strings.CutPrefix(t.ref.Name, r.name)
		switch {
		case t.ref.Namespace == o.ref.Namespace && isGen && generatedSuffix.MatchString(suffix):
			generated = append(generated, t.ref.Name)
		case t.ref.Name == r.name:
			elsewhere = append(elsewhere, t.ref.Namespace)
		}
	}
	switch {
	case len(generated) > 0:
		slices.Sort(generated)
		return msg + fmt.Sprintf(": the build has %s, generated from %q; kustomize did not rewrite this reference to the generated name (it rewrites only fields it knows: for this one add a nameReference configuration, or set disableNameSuffixHash)",
			strings.Join(generated, ", "), r.name)
	case len(elsewhere) > 0:
		return msg + fmt.Sprintf(" in namespace %q, only in %s", o.ref.Namespace, strings.Join(elsewhere, ", "))
	}
	env := c.opts.Environment
	if env == "" {
		env = "ENV"
	}
	return msg + fmt.Sprintf(": add it to the build, or, if something else creates it, declare it in kship.yaml under environments.%s.external.%s", env, externalKeys[r.kind])
}

// checkKey reports a key reference to a ConfigMap or Secret of the build
// that lacks the key. Only key names are compared and shown.
func (c *checker) checkKey(f *findings, o, target *manifest, r ref) {
	fields := []string{"data", "binaryData"}
	if r.kind == "Secret" {
		fields = []string{"data", "stringData"}
	}
	for _, field := range fields {
		if _, ok := getMap(target.m, field)[r.key]; ok {
			return
		}
	}
	f.add(o, r.keyField, refRules[r.kind], "%s %q has no key %q", r.kind, r.name, r.key)
}

// podRefs lists the references of a pod template.
func podRefs(t *podTemplate) []ref {
	var out []ref
	p := t.path
	if sa := getString(t.spec, "serviceAccountName"); sa != "" && sa != "default" {
		out = append(out, ref{kind: "ServiceAccount", name: sa, field: p + ".serviceAccountName"})
	} else if sa := getString(t.spec, "serviceAccount"); sa != "" && sa != "default" && getString(t.spec, "serviceAccountName") == "" {
		out = append(out, ref{kind: "ServiceAccount", name: sa, field: p + ".serviceAccount"})
	}
	for i, s := range getList(t.spec, "imagePullSecrets") {
		m, _ := s.(map[string]any)
		out = append(out, ref{kind: "Secret", name: getString(m, "name"), field: fmt.Sprintf("%s.imagePullSecrets[%d].name", p, i)})
	}
	for i, v := range getList(t.spec, "volumes") {
		m, _ := v.(map[string]any)
		out = append(out, volumeRefs(m, fmt.Sprintf("%s.volumes[%d]", p, i))...)
	}
	for _, ctr := range t.containers() {
		out = append(out, containerRefs(ctr)...)
	}
	return out
}

func volumeRefs(v map[string]any, p string) []ref {
	var out []ref
	if cm := getMap(v, "configMap"); cm != nil {
		out = append(out, keyedRefs("ConfigMap", getString(cm, "name"), cm, p+".configMap")...)
	}
	if s := getMap(v, "secret"); s != nil {
		out = append(out, keyedRefs("Secret", getString(s, "secretName"), s, p+".secret")...)
	}
	if pvc := getMap(v, "persistentVolumeClaim"); pvc != nil {
		out = append(out, ref{kind: "PersistentVolumeClaim", name: getString(pvc, "claimName"), field: p + ".persistentVolumeClaim.claimName"})
	}
	for j, s := range getList(v, "projected", "sources") {
		src, _ := s.(map[string]any)
		sp := fmt.Sprintf("%s.projected.sources[%d]", p, j)
		if cm := getMap(src, "configMap"); cm != nil {
			out = append(out, keyedRefs("ConfigMap", getString(cm, "name"), cm, sp+".configMap")...)
		}
		if sec := getMap(src, "secret"); sec != nil {
			out = append(out, keyedRefs("Secret", getString(sec, "name"), sec, sp+".secret")...)
		}
	}
	return out
}

// keyedRefs is a volume source's reference, and one per item key.
func keyedRefs(kind, name string, src map[string]any, p string) []ref {
	optional := get(src, "optional") == true
	nameField := ".name"
	if kind == "Secret" && getString(src, "secretName") != "" {
		nameField = ".secretName"
	}
	out := []ref{{kind: kind, name: name, optional: optional, field: p + nameField}}
	for k, it := range getList(src, "items") {
		item, _ := it.(map[string]any)
		if key := getString(item, "key"); key != "" {
			out = append(out, ref{kind: kind, name: name, key: key, optional: optional, keyOnly: true, keyField: fmt.Sprintf("%s.items[%d].key", p, k)})
		}
	}
	return out
}

func containerRefs(ctr container) []ref {
	var out []ref
	for j, e := range getList(ctr.m, "envFrom") {
		m, _ := e.(map[string]any)
		for kind, field := range map[string]string{"ConfigMap": "configMapRef", "Secret": "secretRef"} {
			if r := getMap(m, field); r != nil {
				out = append(out, ref{kind: kind, name: getString(r, "name"), optional: get(r, "optional") == true,
					field: fmt.Sprintf("%s.envFrom[%d].%s.name", ctr.path, j, field)})
			}
		}
	}
	for j, e := range getList(ctr.m, "env") {
		m, _ := e.(map[string]any)
		for kind, field := range map[string]string{"ConfigMap": "configMapKeyRef", "Secret": "secretKeyRef"} {
			if r := getMap(m, "valueFrom", field); r != nil {
				rp := fmt.Sprintf("%s.env[%d].valueFrom.%s", ctr.path, j, field)
				out = append(out, ref{kind: kind, name: getString(r, "name"), key: getString(r, "key"), optional: get(r, "optional") == true,
					field: rp + ".name", keyField: rp + ".key"})
			}
		}
	}
	return out
}
