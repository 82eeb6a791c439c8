package main

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// objects is a namespace's ConfigMaps and Secrets, by name, with their keys.
type objects struct {
	cms, secrets map[string][]string
	binary       map[string][]string // binaryData keys of ConfigMaps
}

func (o objects) configMap(name string) (keys, bool, error) {
	ks, ok := o.cms[name]
	if !ok {
		return keys{}, false, nil
	}
	k := keys{data: set(ks), binary: set(o.binary[name])}
	return k, true, nil
}

func (o objects) secret(name string) (keys, bool, error) {
	ks, ok := o.secrets[name]
	return keys{data: set(ks)}, ok, nil
}

func set(ks []string) map[string]bool {
	m := map[string]bool{}
	for _, k := range ks {
		m[k] = true
	}
	return m
}

func pod(t *testing.T, spec string) *corev1.Pod {
	t.Helper()
	p := &corev1.Pod{}
	if err := yaml.Unmarshal([]byte(spec), &p.Spec); err != nil {
		t.Fatal(err)
	}
	p.Namespace, p.Name = "shop", "api-1"
	return p
}

func TestJudge(t *testing.T) {
	have := objects{
		cms:     map[string][]string{"api-config": {"ENV"}, "kube-root-ca.crt": {"ca.crt"}, "assets": {}},
		binary:  map[string][]string{"assets": {"logo.png"}},
		secrets: map[string][]string{"db": {"password"}},
	}
	tests := []struct {
		name string
		spec string
		want map[string]string // the annotations
	}{
		{"no references", `containers: [{name: api, image: a}]`,
			map[string]string{annRefs: "ok", annMountError: "", annConfigErrors: ""}},
		{"every reference resolves", `
containers:
- name: api
  image: a
  envFrom: [{configMapRef: {name: api-config}}, {secretRef: {name: db}}]
  env:
  - {name: ENV, valueFrom: {configMapKeyRef: {name: api-config, key: ENV}}}
  - {name: PW, valueFrom: {secretKeyRef: {name: db, key: password}}}
  volumeMounts: [{name: ca, mountPath: /ca}, {name: logo, mountPath: /logo}]
volumes:
- name: ca
  projected: {sources: [{configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}}]}
- name: logo
  configMap: {name: assets, items: [{key: logo.png, path: logo.png}]}
`, map[string]string{annRefs: "ok", annMountError: "", annConfigErrors: ""}},
		{"envFrom a missing ConfigMap", `
containers:
- {name: api, image: a, envFrom: [{configMapRef: {name: api-config-5m2c}}]}
- {name: sidecar, image: b}
`, map[string]string{annRefs: "config-error", annMountError: "", annConfigErrors: "api\tconfigmap \"api-config-5m2c\" not found"}},
		{"a missing key, and a missing Secret in an init container", `
initContainers:
- name: migrate
  image: a
  env: [{name: PW, valueFrom: {secretKeyRef: {name: db-credentials, key: password}}}]
containers:
- name: api
  image: a
  env: [{name: LOG_LEVEL, valueFrom: {configMapKeyRef: {name: api-config, key: LOG_LEVEL}}}]
`, map[string]string{annRefs: "config-error", annMountError: "",
			annConfigErrors: "migrate\tsecret \"db-credentials\" not found\napi\tcouldn't find key LOG_LEVEL in ConfigMap shop/api-config"}},
		{"a missing Secret key", `
containers:
- {name: api, image: a, env: [{name: PW, valueFrom: {secretKeyRef: {name: db, key: pass}}}]}
`, map[string]string{annRefs: "config-error", annMountError: "", annConfigErrors: "api\tcouldn't find key pass in Secret shop/db"}},
		{"envFrom before env", `
containers:
- name: api
  image: a
  env: [{name: X, valueFrom: {configMapKeyRef: {name: api-config, key: X}}}]
  envFrom: [{secretRef: {name: tls}}]
`, map[string]string{annRefs: "config-error", annMountError: "", annConfigErrors: "api\tsecret \"tls\" not found"}},
		{"optional references may be missing", `
containers:
- name: api
  image: a
  envFrom: [{configMapRef: {name: extra, optional: true}}]
  env:
  - {name: X, valueFrom: {configMapKeyRef: {name: api-config, key: X, optional: true}}}
  - {name: Y, valueFrom: {secretKeyRef: {name: nope, key: Y, optional: true}}}
  volumeMounts: [{name: v, mountPath: /v}]
volumes:
- {name: v, secret: {secretName: nope, optional: true}}
`, map[string]string{annRefs: "ok", annMountError: "", annConfigErrors: ""}},
		{"a missing ConfigMap volume", `
containers:
- {name: api, image: a, volumeMounts: [{name: config, mountPath: /etc/api}], envFrom: [{configMapRef: {name: gone}}]}
volumes:
- {name: config, configMap: {name: api-settings}}
`, map[string]string{annRefs: "mount-error", annMountError: `MountVolume.SetUp failed for volume "config" : configmap "api-settings" not found`, annConfigErrors: ""}},
		{"a volume no container mounts is ignored", `
containers: [{name: api, image: a}]
volumes: [{name: config, configMap: {name: api-settings}}]
`, map[string]string{annRefs: "ok", annMountError: "", annConfigErrors: ""}},
		{"a Secret volume item with a missing key", `
containers: [{name: api, image: a, volumeMounts: [{name: tls, mountPath: /tls}]}]
volumes: [{name: tls, secret: {secretName: db, items: [{key: tls.crt, path: tls.crt}]}}]
`, map[string]string{annRefs: "mount-error", annMountError: `MountVolume.SetUp failed for volume "tls" : secret references non-existent secret key: tls.crt`, annConfigErrors: ""}},
		{"a ConfigMap volume item with a missing key", `
containers: [{name: api, image: a, volumeMounts: [{name: c, mountPath: /c}]}]
volumes: [{name: c, configMap: {name: api-config, items: [{key: app.yaml, path: app.yaml}]}}]
`, map[string]string{annRefs: "mount-error", annMountError: `MountVolume.SetUp failed for volume "c" : configmap references non-existent config key: app.yaml`, annConfigErrors: ""}},
		{"a projected volume missing two sources", `
initContainers: [{name: init, image: a, volumeMounts: [{name: all, mountPath: /all}]}]
containers: [{name: api, image: a}]
volumes:
- name: all
  projected:
    sources:
    - configMap: {name: kube-root-ca.crt}
    - configMap: {name: feature-flags}
    - secret: {name: db-credentials}
    - secret: {name: optional-one, optional: true}
`, map[string]string{annRefs: "mount-error", annMountError: `MountVolume.SetUp failed for volume "all" : [configmap "feature-flags" not found, secret "db-credentials" not found]`, annConfigErrors: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := judge(pod(t, tt.spec), have)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.annotations(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("annotations:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestKeysOnlyDropsValues(t *testing.T) {
	s := &corev1.Secret{Data: map[string][]byte{"password": []byte("hunter2")}, StringData: map[string]string{"x": "y"}}
	s.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"password":"aHVudGVyMg=="}}`}
	out, err := keysOnly(s)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*corev1.Secret)
	if v, ok := got.Data["password"]; !ok || v != nil || got.StringData != nil || got.Annotations != nil {
		t.Errorf("keysOnly kept more than the keys: %+v", got)
	}
	if again, _ := keysOnly(got); !reflect.DeepEqual(again, got) {
		t.Errorf("keysOnly is not idempotent: %+v", again)
	}
}
