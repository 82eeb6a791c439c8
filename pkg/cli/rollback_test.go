package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/report"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// denyImage installs, for ns only, a ValidatingAdmissionPolicy that refuses
// Deployments and Jobs running image: a policy that arrived since a release was
// deployed (say, its image was found vulnerable).
func denyImage(t *testing.T, c *testcluster.Cluster, ns, image string) {
	t.Helper()
	ctx := context.Background()
	name := "deny-" + ns
	policy := &admissionv1.ValidatingAdmissionPolicy{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: admissionv1.ValidatingAdmissionPolicySpec{
		FailurePolicy: ptr.To(admissionv1.Fail),
		MatchConstraints: &admissionv1.MatchResources{ResourceRules: []admissionv1.NamedRuleWithOperations{{RuleWithOperations: admissionv1.RuleWithOperations{
			Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
			Rule:       admissionv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"deployments"}},
		}}, {RuleWithOperations: admissionv1.RuleWithOperations{
			Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
			Rule:       admissionv1.Rule{APIGroups: []string{"batch"}, APIVersions: []string{"v1"}, Resources: []string{"jobs"}},
		}}}},
		Validations: []admissionv1.Validation{{
			Expression: `object.spec.template.spec.containers.all(c, c.image != "` + image + `")`,
			Message:    image + " is not allowed any more",
		}},
	}}
	binding := &admissionv1.ValidatingAdmissionPolicyBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
		PolicyName:        name,
		ValidationActions: []admissionv1.ValidationAction{admissionv1.Deny},
		MatchResources: &admissionv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
			MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}}},
	}}
	ar := c.Clientset().AdmissionregistrationV1()
	if _, err := ar.ValidatingAdmissionPolicies().Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ar.ValidatingAdmissionPolicyBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ar.ValidatingAdmissionPolicyBindings().Delete(ctx, name, metav1.DeleteOptions{})
		_ = ar.ValidatingAdmissionPolicies().Delete(ctx, name, metav1.DeleteOptions{})
	})
	// The policy takes effect once the API server has loaded it: wait
	// until a dry run of such a Deployment is refused.
	waitRefused(t, c, ns, image)
}

// A rollback whose own rollout fails is reported as a failure in every
// output: the last line, the JSON, the JUnit report and the exit code say
// the environment is in a mixed state.
func TestFailedRollbackIsReportedAsFailed(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	// Recreate: the failed deploy takes the old pods down, so the rollback
	// needs new ones, which take longer than its --timeout to get ready.
	cfg := app{NoJob: true, Tag: "v1", PodAnnots: map[string]string{testcluster.AnnotationReadyAfter: "4s"}}.write(t, dir, c.Context(), ns)
	editFile(t, filepath.Join(dir, "app/deployment.yaml"), "spec:\n  replicas:", "spec:\n  strategy: {type: Recreate}\n  replicas:")
	mustCode(t, deployEnv(t, c, cfg), 0)

	junit := filepath.Join(dir, "junit.xml")
	r := deployEnv(t, c, cfg, "--image", "api=registry.invalid/api:broken", "--rollback-on-failure", "-o", "json", "--report", "junit="+junit, "--timeout", "2s")
	mustCode(t, r, 6)
	mustContain(t, "stderr", r.stderr, "rollback to revision 1 failed too", "mixed state")
	if strings.Contains(r.stderr, "kship rolled back to revision") {
		t.Error("a failed rollback is reported as a rollback")
	}
	var doc report.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("-o json: %v", err)
	}
	if doc.Outcome != "rollback-failed" || doc.RolledBackTo != 0 || doc.Rollback == nil ||
		doc.Rollback.Outcome != engine.RollbackFailed || doc.Rollback.To != 1 || !doc.Rollback.Mixed || doc.Rollback.Reason == "" {
		t.Errorf("JSON: outcome %q, rolledBackTo %d, rollback %+v; want rollback-failed, 0, a failed rollback to 1 in a mixed state, with its reason", doc.Outcome, doc.RolledBackTo, doc.Rollback)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "JUnit", string(b), `type="RollbackFailed"`, "mixed state")
}

// A rollback the cluster refuses (a policy that arrived since forbids the
// earlier image) fails before it changes anything, and says so.
func TestRefusedRollbackChangesNothing(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{NoJob: true, Tag: "v1"}.write(t, t.TempDir(), c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	denyImage(t, c, ns, "registry.example/api:v1")

	r := deployEnv(t, c, cfg, "--image", "api=registry.invalid/api:broken", "--rollback-on-failure", "-o", "json")
	mustCode(t, r, 6)
	mustContain(t, "stderr", r.stderr, "rollback to revision 1 failed too", "not allowed any more", "changed nothing")
	var doc report.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("-o json: %v", err)
	}
	if doc.Rollback == nil || doc.Rollback.Outcome != engine.RollbackFailed || doc.Rollback.Mixed {
		t.Errorf("JSON rollback = %+v, want failed, not mixed", doc.Rollback)
	}
}

// A rollback that cannot be attempted (nothing earlier to return to) says
// so in the last line and the JSON.
func TestRollbackNotAttemptedIsSaid(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{NoJob: true}.write(t, t.TempDir(), c.Context(), ns)
	r := deployEnv(t, c, cfg, "--image", "api=registry.invalid/api:broken", "--rollback-on-failure", "-o", "json")
	mustCode(t, r, 5)
	mustContain(t, "stderr", lastLine(r.stderr), "did not roll back", "no earlier successful deploy")
	var doc report.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("-o json: %v", err)
	}
	if doc.Rollback == nil || doc.Rollback.Outcome != engine.RollbackNotAttempted || doc.Rollback.Reason == "" {
		t.Errorf("JSON rollback = %+v, want not-attempted with a reason", doc.Rollback)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// waitRefused waits until the API server refuses a dry-run Deployment
// running image in ns.
func waitRefused(t *testing.T, c *testcluster.Cluster, ns, image string) {
	t.Helper()
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "probe"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "probe"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image}}},
			},
		},
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.Clientset().AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the admission policy did not take effect within 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A migration Job that a policy refuses is refused in the deploy's check
// with the server, before any write: its old run stays, the config phase is
// not applied.
func TestRefusedMigrationJobStopsTheDeployBeforeAnyWrite(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{Tag: "v1"}.write(t, dir, c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	job, err := c.Clientset().BatchV1().Jobs(ns).Get(context.Background(), "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	denyImage(t, c, ns, "registry.example/api:v2")
	app{Tag: "v2", Env: "two"}.write(t, dir, c.Context(), ns)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "Job/"+ns+"/migrate", "not allowed any more")
	after, err := c.Clientset().BatchV1().Jobs(ns).Get(context.Background(), "migrate", metav1.GetOptions{})
	if err != nil || after.UID != job.UID {
		t.Errorf("the old migration Job was deleted for a release that cannot be applied: %v", err)
	}
	if n := len(hashedConfigMaps(t, c, ns)); n != 1 {
		t.Errorf("%d hashed ConfigMaps: the config phase was applied", n)
	}
}
