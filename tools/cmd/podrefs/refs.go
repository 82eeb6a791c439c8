package main

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// keys are the keys an object holds: a ConfigMap's data and binaryData, a
// Secret's data. Values are never kept.
type keys struct {
	data, binary map[string]bool
}

// has reports whether key is in data or, when binaryToo, in binaryData.
func (k keys) has(key string, binaryToo bool) bool {
	return k.data[key] || (binaryToo && k.binary[key])
}

// lookup finds the keys of a ConfigMap or Secret of the pod's namespace; ok
// is false when the object does not exist.
type lookup interface {
	configMap(name string) (k keys, ok bool, err error)
	secret(name string) (k keys, ok bool, err error)
}

// verdict is what a kubelet would make of a pod's ConfigMap and Secret
// references.
type verdict struct {
	// mount is the FailedMount message of the first volume that cannot be
	// mounted; the pod stays ContainerCreating. "" when all mount.
	mount string
	// config maps a container (init containers included) to its
	// CreateContainerConfigError message.
	config map[string]string
	// order lists the containers of config in the pod spec's order.
	order []string
}

func (v verdict) ok() bool { return v.mount == "" && len(v.config) == 0 }

// judge resolves every reference of pod as the kubelet does before it starts
// containers: volumes first (only those a container mounts), then each
// container's envFrom and env, honouring optional. Messages are the
// kubelet's, e.g. `configmap "api-config" not found` or `couldn't find key
// LOG_LEVEL in ConfigMap shop/api-config`.
func judge(pod *corev1.Pod, l lookup) (verdict, error) {
	var v verdict
	var err error
	if v.mount, err = mountError(pod, l); err != nil || v.mount != "" {
		return v, err
	}
	all := append(append([]corev1.Container(nil), pod.Spec.InitContainers...), pod.Spec.Containers...)
	for i := range all {
		msg, err := envError(pod.Namespace, &all[i], l)
		if err != nil {
			return v, err
		}
		if msg != "" {
			if v.config == nil {
				v.config = map[string]string{}
			}
			v.config[all[i].Name] = msg
			v.order = append(v.order, all[i].Name)
		}
	}
	return v, nil
}

// mountedVolumes are the names of the volumes some container mounts: the
// kubelet ignores the others.
func mountedVolumes(pod *corev1.Pod) map[string]bool {
	m := map[string]bool{}
	for _, cs := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range cs {
			for _, vm := range c.VolumeMounts {
				m[vm.Name] = true
			}
			for _, vd := range c.VolumeDevices {
				m[vd.Name] = true
			}
		}
	}
	return m
}

func mountError(pod *corev1.Pod, l lookup) (string, error) {
	used := mountedVolumes(pod)
	for _, vol := range pod.Spec.Volumes {
		if !used[vol.Name] {
			continue
		}
		var errs []string
		var err error
		switch {
		case vol.ConfigMap != nil:
			errs, err = configMapSource(l, vol.ConfigMap.Name, vol.ConfigMap.Items, vol.ConfigMap.Optional, errs)
		case vol.Secret != nil:
			errs, err = secretSource(l, vol.Secret.SecretName, vol.Secret.Items, vol.Secret.Optional, errs)
		case vol.Projected != nil:
			for _, s := range vol.Projected.Sources {
				if err == nil && s.ConfigMap != nil {
					errs, err = configMapSource(l, s.ConfigMap.Name, s.ConfigMap.Items, s.ConfigMap.Optional, errs)
				}
				if err == nil && s.Secret != nil {
					errs, err = secretSource(l, s.Secret.Name, s.Secret.Items, s.Secret.Optional, errs)
				}
			}
		}
		if err != nil {
			return "", err
		}
		if len(errs) > 0 {
			return fmt.Sprintf("MountVolume.SetUp failed for volume %q : %s", vol.Name, aggregate(errs)), nil
		}
	}
	return "", nil
}

// aggregate joins errors as Kubernetes' error aggregates print them: one
// alone, several in brackets.
func aggregate(errs []string) string {
	if len(errs) == 1 {
		return errs[0]
	}
	return "[" + strings.Join(errs, ", ") + "]"
}

func configMapSource(l lookup, name string, items []corev1.KeyToPath, optional *bool, errs []string) ([]string, error) {
	k, found, err := l.configMap(name)
	if err != nil {
		return errs, err
	}
	return volumeSource(errs, fmt.Sprintf("configmap %q not found", name), "configmap references non-existent config key: ",
		k, found, items, isTrue(optional), true), nil
}

func secretSource(l lookup, name string, items []corev1.KeyToPath, optional *bool, errs []string) ([]string, error) {
	k, found, err := l.secret(name)
	if err != nil {
		return errs, err
	}
	return volumeSource(errs, fmt.Sprintf("secret %q not found", name), "secret references non-existent secret key: ",
		k, found, items, isTrue(optional), false), nil
}

// volumeSource checks one ConfigMap or Secret of a volume: it must exist,
// and so must the keys its items name, unless optional.
func volumeSource(errs []string, notFound, missingKey string, k keys, found bool, items []corev1.KeyToPath, optional, binaryToo bool) []string {
	if !found {
		if !optional {
			errs = append(errs, notFound)
		}
		return errs
	}
	for _, it := range items {
		if !k.has(it.Key, binaryToo) && !optional {
			return append(errs, missingKey+it.Key)
		}
	}
	return errs
}

// envError returns the first error the kubelet meets building c's
// environment, envFrom before env, or "".
func envError(ns string, c *corev1.Container, l lookup) (string, error) {
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			if _, found, err := l.configMap(ef.ConfigMapRef.Name); err != nil || (!found && !isTrue(ef.ConfigMapRef.Optional)) {
				return fmt.Sprintf("configmap %q not found", ef.ConfigMapRef.Name), err
			}
		case ef.SecretRef != nil:
			if _, found, err := l.secret(ef.SecretRef.Name); err != nil || (!found && !isTrue(ef.SecretRef.Optional)) {
				return fmt.Sprintf("secret %q not found", ef.SecretRef.Name), err
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
			k, found, err := l.configMap(r.Name)
			if msg := keyRefError(found, k.has(r.Key, false), isTrue(r.Optional), "configmap", "ConfigMap", ns, r.Name, r.Key); err != nil || msg != "" {
				return msg, err
			}
		}
		if r := e.ValueFrom.SecretKeyRef; r != nil {
			k, found, err := l.secret(r.Name)
			if msg := keyRefError(found, k.has(r.Key, false), isTrue(r.Optional), "secret", "Secret", ns, r.Name, r.Key); err != nil || msg != "" {
				return msg, err
			}
		}
	}
	return "", nil
}

func keyRefError(found, hasKey, optional bool, resource, kind, ns, name, key string) string {
	switch {
	case optional:
		return ""
	case !found:
		return fmt.Sprintf("%s %q not found", resource, name)
	case !hasKey:
		return fmt.Sprintf("couldn't find key %s in %s %s/%s", key, kind, ns, name)
	}
	return ""
}

func isTrue(b *bool) bool { return b != nil && *b }

// Annotations that carry the verdict to kwok's stages (tools/cluster/stages).
const (
	annRefs         = "kwok.kship.dev/refs"
	annMountError   = "kwok.kship.dev/mount-error"
	annConfigErrors = "kwok.kship.dev/config-errors"
)

// annotations renders v as the values of the three annotations; "" means
// the annotation is removed.
func (v verdict) annotations() map[string]string {
	switch {
	case v.mount != "":
		return map[string]string{annRefs: "mount-error", annMountError: v.mount, annConfigErrors: ""}
	case len(v.config) > 0:
		lines := make([]string, 0, len(v.order))
		for _, name := range v.order {
			// Container names are DNS labels and messages one line: a tab
			// and a newline separate them unambiguously for the stage.
			lines = append(lines, name+"\t"+oneLine(v.config[name]))
		}
		return map[string]string{annRefs: "config-error", annMountError: "", annConfigErrors: strings.Join(lines, "\n")}
	}
	return map[string]string{annRefs: "ok", annMountError: "", annConfigErrors: ""}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// describe is v in one line, for the log.
func (v verdict) describe() string {
	if v.mount != "" {
		return "mount-error: " + v.mount
	}
	if len(v.config) == 0 {
		return "ok"
	}
	parts := make([]string, 0, len(v.order))
	for _, n := range v.order {
		parts = append(parts, "container "+n+": "+v.config[n])
	}
	return "config-error: " + strings.Join(parts, "; ")
}
