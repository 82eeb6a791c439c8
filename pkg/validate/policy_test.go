package validate_test

import (
	"testing"

	"github.com/kship/kship/pkg/validate"
)

func TestPolicy(t *testing.T) {
	ctr := "spec.template.spec.containers[0]"
	runChecks(t, []check{
		{name: "complete", yaml: deployment},
		{
			name:     "no readiness probe",
			yaml:     edit(deployment, "          readinessProbe:\n            httpGet: {path: /, port: 80}\n", ""),
			want:     []brief{{dep, ctr, validate.RuleReadiness, validate.Warning}},
			messages: []string{`container "web" has no readinessProbe`},
		},
		{
			name: "init containers and Jobs need no readiness probe",
			yaml: edit(deployment, "    spec:\n      containers:", "    spec:\n      initContainers: [{name: i, image: busybox:1.36, resources: {requests: {cpu: 1m, memory: 1Mi}}}]\n      containers:") +
				"---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: shop}\nspec:\n  template:\n    spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1.36, resources: {requests: {cpu: 1m, memory: 1Mi}}}]}\n",
		},
		{
			name:     "no memory request",
			yaml:     edit(deployment, "{cpu: 100m, memory: 128Mi}", "{cpu: 100m}"),
			want:     []brief{{dep, ctr + ".resources.requests", validate.RuleRequests, validate.Warning}},
			messages: []string{`container "web" requests no memory`},
		},
		{
			name: "untagged image",
			yaml: edit(deployment, "image: nginx:1.27", "image: registry.example:5000/nginx"),
			want: []brief{{dep, ctr + ".image", validate.RuleImageTag, validate.Error}},
		},
		{
			name: "latest",
			yaml: edit(deployment, "image: nginx:1.27", "image: nginx:latest"),
			want: []brief{{dep, ctr + ".image", validate.RuleImageTag, validate.Error}},
		},
		{name: "digest", yaml: edit(deployment, "image: nginx:1.27", "image: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")},
		{
			name:     "replicas on a workload an HPA scales",
			yaml:     deployment + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 4\n",
			want:     []brief{{dep, "spec.replicas", validate.RuleHPAReplicas, validate.Warning}},
			messages: []string{"HorizontalPodAutoscaler web scales it"},
		},
		{
			name: "no replicas on a workload an HPA scales",
			yaml: edit(deployment, "  replicas: 2\n", "") + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 4\n",
		},
		{
			name: "rules switched by configuration",
			yaml: edit(edit(deployment, "image: nginx:1.27", "image: nginx:latest"), "          readinessProbe:\n            httpGet: {path: /, port: 80}\n", ""),
			opts: validate.Options{Rules: map[string]validate.Severity{validate.RuleImageTag: validate.Warning, validate.RuleReadiness: validate.Off}},
			want: []brief{{dep, ctr + ".image", validate.RuleImageTag, validate.Warning}},
		},
	})
}

func TestProduction(t *testing.T) {
	pdb := "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}\n"
	hpa := "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: MIN\n  maxReplicas: 4\n"
	prod := validate.Options{Production: true}
	runChecks(t, []check{
		{name: "two replicas and a PDB", yaml: deployment + pdb, opts: prod},
		{name: "not production", yaml: edit(deployment, "replicas: 2", "replicas: 1"), opts: validate.Options{}},
		{
			name: "one replica, no PDB",
			yaml: edit(deployment, "replicas: 2", "replicas: 1"),
			opts: prod,
			want: []brief{
				{dep, "", validate.RuleProdPDB, validate.Error},
				{dep, "spec.replicas", validate.RuleProdReplicas, validate.Error},
			},
		},
		{
			name: "replicas default to one",
			yaml: edit(deployment, "  replicas: 2\n", "") + pdb,
			opts: prod,
			want: []brief{{dep, "spec.replicas", validate.RuleProdReplicas, validate.Error}},
		},
		{
			name:  "an HPA's minReplicas is what counts",
			yaml:  edit(deployment, "replicas: 2", "replicas: 1") + pdb + edit(hpa, "MIN", "2"),
			opts:  prod,
			rules: []string{validate.RuleProdReplicas, validate.RuleProdPDB},
		},
		{
			name:     "an HPA with minReplicas 1",
			yaml:     deployment + pdb + edit(hpa, "MIN", "1"),
			opts:     prod,
			rules:    []string{validate.RuleProdReplicas, validate.RuleProdPDB},
			want:     []brief{{"HorizontalPodAutoscaler/shop/web", "spec.minReplicas", validate.RuleProdReplicas, validate.Error}},
			messages: []string{"minReplicas is 1 for Deployment/shop/web in production"},
		},
		{
			name: "a rule switched off in production",
			yaml: deployment,
			opts: validate.Options{Production: true, Rules: map[string]validate.Severity{validate.RuleProdPDB: validate.Off}},
		},
	})
}

func TestIsProduction(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name string
		flag *bool
		want bool
	}{
		{"prod", nil, true},
		{"production", nil, true},
		{"prod-eu", nil, true},
		{"stage", nil, false},
		{"preprod", nil, false},
		{"stage", &yes, true},
		{"prod", &no, false},
	}
	for _, tt := range tests {
		if got := validate.IsProduction(tt.name, tt.flag); got != tt.want {
			t.Errorf("IsProduction(%q, %v) = %v, want %v", tt.name, tt.flag, got, tt.want)
		}
	}
}

func TestRuleConfiguration(t *testing.T) {
	tests := []struct {
		rules map[string]validate.Severity
		want  string
	}{
		{map[string]validate.Severity{"policy/nope": validate.Off}, `unknown validation rule "policy/nope": kship has api/duplicate, api/forbidden, `},
		{map[string]validate.Severity{validate.RuleImageTag: "fatal"}, `validation rule policy/image-tag: severity "fatal": want off, warning or error`},
	}
	for _, tt := range tests {
		_, err := validate.Run(nil, validate.Options{Rules: tt.rules})
		if err == nil || !contains([]string{err.Error()[:min(len(err.Error()), len(tt.want))]}, tt.want) {
			t.Errorf("err = %v, want it to start with %q", err, tt.want)
		}
	}
}

func TestPodSpec(t *testing.T) {
	ctr := "spec.template.spec.containers"
	runChecks(t, []check{
		{name: "valid", yaml: edit(deployment, "image: nginx:1.27", "image: nginx:1.27\n          ports: [{containerPort: 80, hostPort: 0}]")},
		{
			name:  "no image",
			yaml:  edit(deployment, "          image: nginx:1.27\n", ""),
			want:  []brief{{dep, ctr + "[0].image", validate.RuleRequired, validate.Error}},
			rules: schemaRules,
		},
		{
			name:  "no containers",
			yaml:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n",
			want:  []brief{{"Pod/p", "spec.containers", validate.RuleRequired, validate.Error}},
			rules: schemaRules,
		},
		{
			name:     "duplicate names across init containers and containers",
			yaml:     edit(deployment, "    spec:\n      containers:", "    spec:\n      initContainers: [{name: web, image: busybox:1.36}]\n      containers:"),
			want:     []brief{{dep, ctr + "[0].name", validate.RuleConstraint, validate.Error}},
			messages: []string{`container name "web" is already used by spec.template.spec.initContainers[0]`},
			rules:    schemaRules,
		},
		{
			name: "port out of range",
			yaml: edit(deployment, "image: nginx:1.27", "image: nginx:1.27\n          ports: [{containerPort: 0}, {containerPort: 80, hostPort: 70000}]"),
			want: []brief{
				{dep, ctr + "[0].ports[0].containerPort", validate.RuleConstraint, validate.Error},
				{dep, ctr + "[0].ports[1].hostPort", validate.RuleConstraint, validate.Error},
			},
		},
	})
}
