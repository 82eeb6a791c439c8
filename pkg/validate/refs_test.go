package validate_test

import (
	"testing"

	"github.com/kship/kship/pkg/validate"
)

var refRules = []string{validate.RuleRefConfigMap, validate.RuleRefSecret, validate.RuleRefSA, validate.RuleRefPVC}

// withPod returns deployment with extra pod spec fields (indented for
// spec.template.spec) and container fields.
func withPod(podSpec, containerFields string) string {
	s := deployment
	if podSpec != "" {
		s = edit(s, "    spec:\n      containers:", "    spec:\n"+podSpec+"      containers:")
	}
	if containerFields != "" {
		s = edit(s, "          image: nginx:1.27\n", "          image: nginx:1.27\n"+containerFields)
	}
	return s
}

const (
	configMap = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {LOG_LEVEL: info}\n"
	secret    = "---\napiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: hunter2-secret}\n"
)

func TestReferences(t *testing.T) {
	ctr := "spec.template.spec.containers[0]"
	runChecks(t, []check{
		{
			name: "envFrom a ConfigMap in the build",
			yaml: withPod("", "          envFrom: [{configMapRef: {name: settings}}]\n") + configMap,
		},
		{
			name:     "envFrom a ConfigMap that is not in the build",
			yaml:     withPod("", "          envFrom: [{configMapRef: {name: settings}}]\n"),
			want:     []brief{{dep, ctr + ".envFrom[0].configMapRef.name", validate.RuleRefConfigMap, validate.Error}},
			messages: []string{`ConfigMap "settings" is not in the build: add it to the build, or, if something else creates it, declare it in kship.yaml under environments.test.external.configMaps`},
		},
		{
			name:     "a generated name kustomize did not rewrite",
			yaml:     withPod("", "          envFrom: [{configMapRef: {name: settings}}]\n") + edit(configMap, "name: settings", "name: settings-7h9f2k6m8b"),
			want:     []brief{{dep, ctr + ".envFrom[0].configMapRef.name", validate.RuleRefConfigMap, validate.Error}},
			messages: []string{"the build has settings-7h9f2k6m8b, generated from \"settings\"; kustomize did not rewrite this reference"},
		},
		{
			name: "optional references are fine",
			yaml: withPod("      volumes: [{name: v, secret: {secretName: tls, optional: true}}]\n",
				"          envFrom: [{secretRef: {name: db, optional: true}}]\n          env: [{name: A, valueFrom: {configMapKeyRef: {name: x, key: yy, optional: true}}}]\n"),
		},
		{
			name: "declared external",
			yaml: withPod("      serviceAccountName: api\n      imagePullSecrets: [{name: regcred}]\n      volumes: [{name: d, persistentVolumeClaim: {claimName: data-0}}]\n",
				"          env: [{name: P, valueFrom: {secretKeyRef: {name: db-credentials, key: password}}}]\n"),
			opts: validate.Options{External: validate.External{
				Secrets: []string{"db-*", "regcred"}, ServiceAccounts: []string{"api"}, PersistentVolumeClaims: []string{"data-?"},
			}},
		},
		{
			name: "every kind of reference, missing",
			yaml: withPod("      serviceAccountName: api\n      imagePullSecrets: [{name: regcred}]\n      volumes:\n"+
				"        - {name: d, persistentVolumeClaim: {claimName: data}}\n"+
				"        - {name: c, configMap: {name: files}}\n"+
				"        - {name: p, projected: {sources: [{secret: {name: tls}}, {configMap: {name: ca}}]}}\n",
				"          env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}]\n"),
			want: []brief{
				{dep, ctr + ".env[0].valueFrom.secretKeyRef.name", validate.RuleRefSecret, validate.Error},
				{dep, "spec.template.spec.imagePullSecrets[0].name", validate.RuleRefSecret, validate.Error},
				{dep, "spec.template.spec.serviceAccountName", validate.RuleRefSA, validate.Error},
				{dep, "spec.template.spec.volumes[0].persistentVolumeClaim.claimName", validate.RuleRefPVC, validate.Error},
				{dep, "spec.template.spec.volumes[1].configMap.name", validate.RuleRefConfigMap, validate.Error},
				{dep, "spec.template.spec.volumes[2].projected.sources[0].secret.name", validate.RuleRefSecret, validate.Error},
				{dep, "spec.template.spec.volumes[2].projected.sources[1].configMap.name", validate.RuleRefConfigMap, validate.Error},
			},
			rules: refRules,
		},
		{
			name: "the default ServiceAccount is implicit",
			yaml: withPod("      serviceAccountName: default\n", ""),
		},
		{
			name: "keys that exist",
			yaml: withPod("      volumes: [{name: c, configMap: {name: settings, items: [{key: LOG_LEVEL, path: level}]}}]\n",
				"          env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}]\n") + configMap + secret,
		},
		{
			name: "keys that do not",
			yaml: withPod("      volumes: [{name: c, configMap: {name: settings, items: [{key: LEVEL, path: level}]}}]\n",
				"          env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: pass}}}]\n") + configMap + secret,
			want: []brief{
				{dep, ctr + ".env[0].valueFrom.secretKeyRef.key", validate.RuleRefSecret, validate.Error},
				{dep, "spec.template.spec.volumes[0].configMap.items[0].key", validate.RuleRefConfigMap, validate.Error},
			},
			messages: []string{`Secret "db" has no key "pass"`, `ConfigMap "settings" has no key "LEVEL"`},
		},
		{
			name:     "same name in another namespace",
			yaml:     withPod("", "          envFrom: [{configMapRef: {name: settings}}]\n") + edit(configMap, "namespace: shop", "namespace: other"),
			want:     []brief{{dep, ctr + ".envFrom[0].configMapRef.name", validate.RuleRefConfigMap, validate.Error}},
			messages: []string{`in namespace "shop", only in other`},
		},
		{
			name: "the default namespace applies to objects without one",
			yaml: edit(withPod("", "          envFrom: [{configMapRef: {name: settings}}]\n"), "  namespace: shop\n", "") +
				edit(configMap, ", namespace: shop", ""),
			opts: validate.Options{DefaultNamespace: "shop"},
		},
		{
			name: "CronJob and Pod templates",
			yaml: "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: shop}\nspec:\n  schedule: '@hourly'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: busybox:1.36, envFrom: [{secretRef: {name: nope}}]}]\n" +
				"---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  serviceAccount: robot\n  containers: [{name: c, image: busybox:1.36}]\n",
			want: []brief{
				{"CronJob/shop/c", "spec.jobTemplate.spec.template.spec.containers[0].envFrom[0].secretRef.name", validate.RuleRefSecret, validate.Error},
				{"Pod/shop/p", "spec.serviceAccount", validate.RuleRefSA, validate.Error},
			},
			rules: refRules,
		},
	})
}
