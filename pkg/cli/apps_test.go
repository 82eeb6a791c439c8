package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/report"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// operatorApp copies testdata/apps/operator with an API group, an operator
// namespace and ClusterRole names of its own, and deletes what the test's
// namespace cleanup does not: the CRDs, the operator's namespace and RBAC.
func operatorApp(t *testing.T, c *testcluster.Cluster) (dir, group string) {
	t.Helper()
	s := suffix(t)
	group = "shipyard" + s + ".kship.dev"
	dir = corpus(t, "operator", map[string]string{
		"shipyard.kship.dev":             group,
		"shipyard-system":                "shipyard-" + s,
		"name: shipyard-operator\nrules": "name: shipyard-operator-" + s + "\nrules",
		"name: shipyard-operator}":       "name: shipyard-operator-" + s + "}",
	})
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
		for _, plural := range []string{"databases", "queues", "tenants", "backups"} {
			_ = dyn.Resource(crds).Delete(ctx, plural+"."+group, metav1.DeleteOptions{})
		}
		_ = c.Clientset().CoreV1().Namespaces().Delete(ctx, "shipyard-"+s, metav1.DeleteOptions{})
		_ = c.Clientset().RbacV1().ClusterRoles().Delete(ctx, "shipyard-operator-"+s, metav1.DeleteOptions{})
		_ = c.Clientset().RbacV1().ClusterRoleBindings().Delete(ctx, "shipyard-operator", metav1.DeleteOptions{})
	})
	return dir, group
}

// The first deploy of a build that holds CRDs and instances of their kinds
// must wait until the kinds are served, then apply the instances: never
// fail because discovery had not caught up.
func TestCRDsAndTheirInstancesOnTheFirstDeploy(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	// kubectl's discovery cache lives under $HOME: start without one.
	t.Setenv("HOME", t.TempDir())
	dir, group := operatorApp(t, c)
	cfg := envConfig(t, dir, ".", c.Context(), ns)

	// A dry run on a cluster that has never seen the kinds lists the
	// instances as created, unchecked.
	r := deployEnv(t, c, cfg, "--dry-run")
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Database/"+ns+"/orders", "kind Database is defined by a CRD this deploy creates")

	r = deployEnv(t, c, cfg, "-o", "json")
	mustCode(t, r, 0)
	var doc report.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("-o json: %v", err)
	}
	kinds := map[string]int{}
	for _, o := range doc.Objects {
		if o.Action != "created" {
			t.Errorf("%s: %s on the first deploy, want created", o.Ref, o.Action)
		}
		kinds[o.Ref.Kind]++
	}
	for kind, n := range map[string]int{"CustomResourceDefinition": 4, "Database": 2, "Queue": 2, "Tenant": 1, "Backup": 2} {
		if kinds[kind] != n {
			t.Errorf("%d %s objects deployed, want %d", kinds[kind], kind, n)
		}
	}

	// Again: nothing changes, and the instances are found where they are.
	r = deployEnv(t, c, cfg, "-o", "json")
	mustCode(t, r, 0)
	if strings.Contains(r.stdout, `"action": "configured"`) || strings.Contains(r.stdout, `"action": "created"`) {
		t.Errorf("a re-deploy with no change changed objects:\n%s", r.stdout)
	}

	// The kinds go away (a cluster rebuilt at the same URL): a dry run must
	// not believe what an earlier command's discovery said.
	deleteCRDs(t, c, group)
	r = deployEnv(t, c, cfg, "--dry-run")
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "kind Database is defined by a CRD this deploy creates")
}

// deleteCRDs deletes the operator corpus's CRDs and waits until they are gone.
func deleteCRDs(t *testing.T, c *testcluster.Cluster, group string) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	crds := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	ctx := context.Background()
	for _, plural := range []string{"databases", "queues", "tenants", "backups"} {
		if err := crds.Delete(ctx, plural+"."+group, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, plural := range []string{"databases", "queues", "tenants", "backups"} {
		for {
			_, err := crds.Get(ctx, plural+"."+group, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("CRD %s.%s still there after 60s: %v", plural, group, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// An operator upgrade: a CRD gains a version and the instances move to it,
// in one deploy. The server cannot check them before the CRD is applied;
// the deploy must not refuse them for that.
func TestCRDVersionAddedWithItsInstances(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir, _ := operatorApp(t, c)
	cfg := envConfig(t, dir, ".", c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)

	editFile(t, filepath.Join(dir, "crds/queues.yaml"), "  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n",
		"  versions:\n    - name: v2\n      served: true\n      storage: false\n      schema: &schema\n")
	editFile(t, filepath.Join(dir, "crds/queues.yaml"), "                tags:\n                  type: object\n                  additionalProperties: {type: string}\n",
		"                tags:\n                  type: object\n                  additionalProperties: {type: string}\n    - name: v1\n      served: true\n      storage: true\n      schema: *schema\n")
	editFile(t, filepath.Join(dir, "instances.yaml"), "/v1\nkind: Queue\nmetadata:\n  name: emails\n", "/v2\nkind: Queue\nmetadata:\n  name: emails\n")
	r := deployEnv(t, c, cfg, "--dry-run")
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "version v2 of kind Queue is added by a CRD this deploy changes")
	mustCode(t, deployEnv(t, c, cfg), 0)
}
