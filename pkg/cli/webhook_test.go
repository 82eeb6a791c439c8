package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/repo"
	"github.com/kship/kship/internal/testcluster"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// leftoverWebhook installs testdata/apps/webhooks/leftover.yaml for ns and
// removes it when the test ends; it returns the configuration's name.
func leftoverWebhook(t *testing.T, c *testcluster.Cluster, ns string) string {
	t.Helper()
	wd, _ := os.Getwd()
	root, err := repo.Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "testdata/apps/webhooks/leftover.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg admissionv1.ValidatingWebhookConfiguration
	if err := yaml.Unmarshal([]byte(strings.ReplaceAll(string(b), "NS", ns)), &cfg); err != nil {
		t.Fatal(err)
	}
	hooks := c.Clientset().AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if _, err := hooks.Create(context.Background(), &cfg, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hooks.Delete(context.Background(), cfg.Name, metav1.DeleteOptions{}) })
	return cfg.Name
}

// A webhook that cannot be called refuses the object in the deploy's dry
// run: the deploy stops before any write, naming the webhook's
// configuration and Service and what to check.
func TestWebhookRefusalNamesItsConfiguration(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	hook := leftoverWebhook(t, c, ns)
	dir := t.TempDir()
	cfg := configMaps(t, dir, c.Context(), ns, 3, "x",
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: checked, labels: {policy.kship.test/checked: "+ns+"}}\ndata: {k: v}\n")
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "ConfigMap/"+ns+"/checked", "ValidatingWebhookConfiguration "+hook,
		ns+"/policy-admission:443", "endpointslices", "failurePolicy Fail")
	if configMapExists(t, c, ns, "cm-000") {
		t.Error("the deploy applied objects though its dry run found one refused")
	}
}

// Objects the dry run cannot check (in a namespace the deploy creates) meet
// the webhook in the real apply: the objects of the phase that were applied
// are still waited for and reported, each with its own outcome.
func TestWebhookRefusalInANewNamespaceReportsTheRest(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	hook := leftoverWebhook(t, c, ns)
	fresh := ns + "-new"
	t.Cleanup(func() {
		_ = c.Clientset().CoreV1().Namespaces().Delete(context.Background(), fresh, metav1.DeleteOptions{})
	})
	dir := t.TempDir()
	writeFile(t, dir, "app/objects.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+fresh+"}\n"+
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain, namespace: "+fresh+"}\ndata: {k: v}\n"+
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: checked, namespace: "+fresh+", labels: {policy.kship.test/checked: "+ns+"}}\ndata: {k: v}\n"+
		"---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: "+fresh+"}\nspec: {ports: [{port: 80}]}\n")
	writeFile(t, dir, "app/kustomization.yaml", "resources: [objects.yaml]\n")
	cfg := envConfig(t, dir, "app", c.Context(), ns)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "ValidatingWebhookConfiguration "+hook)
	for _, line := range strings.Split(r.stdout, "\n") {
		switch {
		case strings.HasPrefix(line, "ConfigMap/"+fresh+"/plain"), strings.HasPrefix(line, "Service/"+fresh+"/api"):
			if !strings.Contains(line, "created") || !strings.Contains(line, "Current") {
				t.Errorf("an applied object of the phase is not reported as applied and ready: %s", line)
			}
		case strings.HasPrefix(line, "ConfigMap/"+fresh+"/checked"):
			if !strings.Contains(line, "webhook") {
				t.Errorf("the refused object's row does not say why: %s", line)
			}
		}
	}
}
