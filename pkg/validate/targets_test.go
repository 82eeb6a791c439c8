package validate_test

import (
	"testing"

	"github.com/kship/kship/pkg/validate"
)

func TestTargets(t *testing.T) {
	svc := "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: SELECTOR\n  ports: [{port: 80}]\n"
	pdb := "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec:\n  maxUnavailable: 1\n  selector: SELECTOR\n"
	hpa := "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: NAME}\n  minReplicas: 2\n  maxReplicas: 4\n"
	runChecks(t, []check{
		{name: "Service selects the Deployment", yaml: deployment + edit(svc, "SELECTOR", "{app: web}")},
		{
			name:     "Service selects nothing",
			yaml:     deployment + edit(svc, "SELECTOR", "{app: website}"),
			want:     []brief{{"Service/shop/web", "spec.selector", validate.RuleServiceSelector, validate.Warning}},
			messages: []string{"selects no pod template in the build (app=website); nearest is Deployment/shop/web, which has app=web"},
		},
		{name: "Service without a selector", yaml: deployment + edit(svc, "  selector: SELECTOR\n", "")},
		{name: "PDB selects the Deployment", yaml: deployment + edit(pdb, "SELECTOR", "{matchExpressions: [{key: app, operator: In, values: [web, api]}]}")},
		{
			name: "PDB selects nothing",
			yaml: deployment + edit(pdb, "SELECTOR", "{matchLabels: {app: api}}"),
			want: []brief{{"PodDisruptionBudget/shop/web", "spec.selector", validate.RulePDBSelector, validate.Warning}},
		},
		{
			name: "PDB in another namespace",
			yaml: deployment + edit(edit(pdb, "SELECTOR", "{matchLabels: {app: web}}"), "namespace: shop", "namespace: other"),
			want: []brief{{"PodDisruptionBudget/other/web", "spec.selector", validate.RulePDBSelector, validate.Warning}},
		},
		{name: "HPA scales the Deployment", yaml: deployment + edit(hpa, "NAME", "web"), rules: []string{validate.RuleHPATarget}},
		{
			name:     "HPA scales nothing",
			yaml:     deployment + edit(hpa, "NAME", "api"),
			want:     []brief{{"HorizontalPodAutoscaler/shop/web", "spec.scaleTargetRef", validate.RuleHPATarget, validate.Error}},
			messages: []string{`scales Deployment/api, which the build does not contain in namespace "shop"`},
		},
	})
}
