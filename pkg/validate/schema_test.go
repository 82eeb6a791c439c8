package validate_test

import (
	"testing"

	"github.com/kship/kship/pkg/validate"
)

// schemaRules are the rules the schema tests look at; the policy and
// reference rules have their own tests.
var schemaRules = []string{
	validate.RuleRemovedAPI, validate.RuleMissingCRD, validate.RuleCRDSchema,
	validate.RuleUnknownField, validate.RuleType, validate.RuleRequired, validate.RuleEnum,
	validate.RuleFormat, validate.RuleQuantity, validate.RuleConstraint, validate.RuleSelector,
	validate.RuleName, validate.RuleNamespace, validate.RuleLabels, validate.RuleAnnotations,
}

const dep = "Deployment/shop/web"

func TestSchema(t *testing.T) {
	runChecks(t, []check{
		{name: "valid", yaml: deployment},
		{
			name:     "unknown field with a suggestion",
			yaml:     edit(deployment, "replicas: 2", "replica: 2"),
			want:     []brief{{dep, "spec.replica", validate.RuleUnknownField, validate.Error}},
			messages: []string{`unknown field "replica" (did you mean "replicas"?)`},
		},
		{
			name: "unknown field in a container",
			yaml: edit(deployment, "image: nginx:1.27", "image: nginx:1.27\n          imagePullPolice: Always"),
			want: []brief{{dep, "spec.template.spec.containers[0].imagePullPolice", validate.RuleUnknownField, validate.Error}},
		},
		{
			name:     "wrong type",
			yaml:     edit(deployment, "replicas: 2", `replicas: "2"`),
			want:     []brief{{dep, "spec.replicas", validate.RuleType, validate.Error}},
			messages: []string{`want integer, got string "2"`},
		},
		{
			name: "number for a string",
			yaml: edit(deployment, "image: nginx:1.27", "image: nginx:1.27\n          env: [{name: PORT, value: 8080}]"),
			want: []brief{{dep, "spec.template.spec.containers[0].env[0].value", validate.RuleType, validate.Error}},
		},
		{
			name: "int32 out of range",
			yaml: edit(deployment, "replicas: 2", "replicas: 3000000000"),
			want: []brief{{dep, "spec.replicas", validate.RuleFormat, validate.Error}},
		},
		{
			name:  "required field missing",
			yaml:  edit(deployment, "- name: web\n          image", "- image"),
			want:  []brief{{dep, "spec.template.spec.containers[0].name", validate.RuleRequired, validate.Error}},
			rules: schemaRules,
		},
		{
			name:     "enum",
			yaml:     edit(deployment, "image: nginx:1.27", "image: nginx:1.27\n          imagePullPolicy: Sometimes"),
			want:     []brief{{dep, "spec.template.spec.containers[0].imagePullPolicy", validate.RuleEnum, validate.Error}},
			messages: []string{`unsupported value "Sometimes": want one of "Always", "IfNotPresent", "Never"`},
		},
		{
			name: "empty enum value is defaulted",
			yaml: edit(deployment, "image: nginx:1.27", "image: nginx:1.27\n          imagePullPolicy: \"\""),
		},
		{
			name: "int-or-string accepts both",
			yaml: edit(deployment, "replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}}"),
		},
		{
			name: "int-or-string refuses a fraction",
			yaml: edit(deployment, "replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: 1.5}}"),
			want: []brief{{dep, "spec.strategy.rollingUpdate.maxSurge", validate.RuleFormat, validate.Error}},
		},
		{
			name: "int-or-string refuses a boolean",
			yaml: edit(deployment, "replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: true}}"),
			want: []brief{{dep, "spec.strategy.rollingUpdate.maxSurge", validate.RuleType, validate.Error}},
		},
		{
			name: "quantities as strings and numbers",
			yaml: edit(deployment, "{cpu: 100m, memory: 128Mi}", "{cpu: 0.5, memory: 1e9, ephemeral-storage: 1Gi}"),
		},
		{
			name:     "bad quantity",
			yaml:     edit(deployment, "memory: 128Mi", "memory: 128mb"),
			want:     []brief{{dep, "spec.template.spec.containers[0].resources.requests.memory", validate.RuleQuantity, validate.Error}},
			messages: []string{`value "128mb" is not a quantity`},
		},
		{
			name: "nulls are absent",
			yaml: edit(deployment, "replicas: 2", "replicas: null\n  strategy: null"),
		},
		{
			name: "selector does not match the template",
			yaml: edit(deployment, "labels: {app: web}", "labels: {app: website}"),
			want: []brief{{dep, "spec.template.metadata.labels", validate.RuleSelector, validate.Error}},
		},
		{
			name: "bad selector operator",
			yaml: edit(deployment, "matchLabels: {app: web}", "matchExpressions: [{key: app, operator: Equals, values: [web]}]"),
			want: []brief{{dep, "spec.selector.matchExpressions[0].operator", validate.RuleSelector, validate.Error}},
		},
		{
			name:  "Job selector without manualSelector",
			yaml:  "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1.36}]}\n",
			want:  []brief{{"Job/j", "spec.selector", validate.RuleSelector, validate.Error}},
			rules: schemaRules,
		},
	})
}

func TestAPIVersions(t *testing.T) {
	runChecks(t, []check{
		{
			name:     "removed apiVersion names its replacement",
			yaml:     "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n",
			want:     []brief{{"Deployment/web", "apiVersion", validate.RuleRemovedAPI, validate.Error}},
			messages: []string{"extensions/v1beta1 Deployment is not served by Kubernetes 1.37: removed in 1.16, use apps/v1"},
		},
		{
			name:     "removed version of a group that still exists",
			yaml:     "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\nspec: {}\n",
			want:     []brief{{"CronJob/c", "apiVersion", validate.RuleRemovedAPI, validate.Error}},
			messages: []string{"removed in 1.25, use batch/v1"},
		},
		{
			name:     "misspelled kind",
			yaml:     "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n",
			want:     []brief{{"Deploymnet/web", "apiVersion", validate.RuleRemovedAPI, validate.Error}},
			messages: []string{"did you mean Deployment?"},
		},
		{
			name: "missing apiVersion",
			yaml: "kind: ConfigMap\nmetadata: {name: c}\n",
			want: []brief{{"ConfigMap/c", "apiVersion", validate.RuleRequired, validate.Error}},
		},
	})
}

func TestKubernetesVersion(t *testing.T) {
	if _, err := validate.Run(nil, validate.Options{KubernetesVersion: "1.37"}); err != nil {
		t.Errorf("1.37: %v", err)
	}
	_, err := validate.Run(nil, validate.Options{KubernetesVersion: "1.12"})
	want := "no schemas for Kubernetes 1.12: kship ships 1.37"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestMetadata(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\nMETA\ndata: {a: b}\n"
	mk := func(name, meta string) string { return edit(edit(cm, "NAME", name), "META", meta) }
	runChecks(t, []check{
		{name: "dots in a ConfigMap name", yaml: mk("app.config", "")},
		{
			name:     "uppercase name",
			yaml:     mk("App", ""),
			want:     []brief{{"ConfigMap/App", "metadata.name", validate.RuleName, validate.Error}},
			messages: []string{"ConfigMap must be a DNS subdomain (RFC 1123)"},
		},
		{name: "Service name may start with a digit", yaml: "apiVersion: v1\nkind: Service\nmetadata: {name: 1api}\nspec: {ports: [{port: 80}]}\n"},
		{
			name: "Namespace name has no dots",
			yaml: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n",
			want: []brief{{"Namespace/a.b", "metadata.name", validate.RuleName, validate.Error}},
		},
		{name: "RBAC names are path segments", yaml: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:reader'}\n"},
		{
			name: "no name",
			yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n",
			want: []brief{{"ConfigMap/<no name>", "metadata.name", validate.RuleName, validate.Error}},
		},
		{
			name: "bad namespace",
			yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: Shop}\n",
			want: []brief{{"ConfigMap/Shop/c", "metadata.namespace", validate.RuleNamespace, validate.Error}},
		},
		{
			name: "label key",
			yaml: mk("c", "  labels: {a/b/c: x}"),
			want: []brief{{"ConfigMap/c", "metadata.labels", validate.RuleLabels, validate.Error}},
		},
		{
			name: "label value",
			yaml: mk("c", "  labels: {a: 'x y'}"),
			want: []brief{{"ConfigMap/c", "metadata.labels.a", validate.RuleLabels, validate.Error}},
		},
		{
			name: "label with a prefix",
			yaml: mk("c", "  labels: {app.kubernetes.io/name: web}"),
		},
		{
			name: "pod template labels",
			yaml: edit(deployment, "labels: {app: web}", "labels: {app: web, team: 'a b'}"),
			want: []brief{{dep, "spec.template.metadata.labels.team", validate.RuleLabels, validate.Error}},
		},
		{
			name: "annotation key",
			yaml: mk("c", "  annotations: {'owner team': x}"),
			want: []brief{{"ConfigMap/c", "metadata.annotations", validate.RuleAnnotations, validate.Error}},
		},
		{
			name:  "CRD name must be plural.group",
			yaml:  "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widget.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n",
			want:  []brief{{"CustomResourceDefinition/widget.example.com", "metadata.name", validate.RuleName, validate.Error}},
			rules: schemaRules,
		},
	})
}
