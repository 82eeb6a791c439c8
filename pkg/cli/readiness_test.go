package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// readinessTree copies testdata/readiness into dir and writes an
// environment "test" whose overlay puts the given parts of it in ns.
func readinessTree(t *testing.T, c *testcluster.Cluster, dir, ns string, parts ...string) string {
	t.Helper()
	if err := os.CopyFS(filepath.Join(dir, "readiness"), os.DirFS("../../testdata/readiness")); err != nil {
		t.Fatal(err)
	}
	res := ""
	for _, p := range parts {
		res += "- ../readiness/" + p + "\n"
		if p == "operator" {
			// Cluster-scoped and labelled as this test's: a later run, in
			// another namespace, would find it another set's.
			t.Cleanup(func() {
				err := dynamic.NewForConfigOrDie(c.RESTConfig()).Resource(crds).Delete(context.Background(), "databases.ops.kship.dev", metav1.DeleteOptions{})
				if err != nil && !apierrors.IsNotFound(err) {
					t.Errorf("deleting the Database CRD: %v", err)
				}
			})
		}
	}
	writeFile(t, dir, "app/kustomization.yaml", "namespace: "+ns+"\nresources:\n"+res)
	return writeFile(t, dir, "kship.yaml", "environments:\n  test:\n    overlay: app\n    context: "+c.Context()+"\n    namespace: "+ns+"\n")
}

var apiServices = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// TestDeployAPIServiceWithoutEndpointsTimesOut deploys an aggregated API
// whose Service has no endpoints: the API server reports the APIService
// Available=False, and the deploy must time out naming why, not call it
// Current.
func TestDeployAPIServiceWithoutEndpointsTimesOut(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	const name = "v1beta1.metrics.shop.kship.dev"
	// Cluster-scoped, and while it is unavailable the namespace controller
	// cannot finish deleting namespaces: remove it as soon as the test ends.
	t.Cleanup(func() {
		err := dyn.Resource(apiServices).Delete(context.Background(), name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting APIService %s: %v", name, err)
		}
	})
	cfg := readinessTree(t, c, t.TempDir(), ns, "aggregated-api")
	r := deployEnv(t, c, cfg, "--timeout", "5s")
	mustCode(t, r, 5)
	mustContain(t, "output", r.stdout+r.stderr, "timed out", "APIService/"+name, "MissingEndpoints",
		`service/shop-metrics in "`+ns+`" have no addresses with port name "https"`)
}

var crds = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

var databases = schema.GroupVersionResource{Group: "ops.kship.dev", Version: "v1alpha1", Resource: "databases"}

// writeDatabaseStatus writes the Database's status as its operator would.
func writeDatabaseStatus(t *testing.T, c *testcluster.Cluster, ns string, st map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := dynamic.NewForConfigOrDie(c.RESTConfig()).Resource(databases).Namespace(ns)
	db, err := res.Get(ctx, "orders", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db.Object["status"] = st
	if _, err := res.UpdateStatus(ctx, db, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestStatusOfCustomResources checks that `kship status` says Unknown, and
// exits 0, for a custom resource whose status it cannot read, and waits on
// (exit 5) one whose Available condition is False.
func TestStatusOfCustomResources(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := readinessTree(t, c, t.TempDir(), ns, "operator")
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	status := func() result {
		r := run(t, "--config", cfg, "status", "test", "--kubeconfig", c.Kubeconfig())
		t.Logf("kship status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		return r
	}

	writeDatabaseStatus(t, c, ns, map[string]any{"phase": "Provisioning", "endpoint": "orders." + ns + ".svc:5432"})
	r = status()
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Database/"+ns+"/orders", "Unknown", `kship cannot judge database "orders"`, `phase "Provisioning"`)

	writeDatabaseStatus(t, c, ns, map[string]any{"observedGeneration": 1, "conditions": []any{map[string]any{
		"type": "Available", "status": "False", "reason": "ProvisioningStorage", "message": "waiting for volume data-orders-0",
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}}})
	r = status()
	mustCode(t, r, 5)
	mustContain(t, "stdout", r.stdout, "InProgress", "ProvisioningStorage: waiting for volume data-orders-0")
}

// TestDeployCRDAndItsResourceTogether deploys, three times, a CRD the
// cluster has never seen together with a resource of its kind: the deploy
// must map the new kind once the CRD is Established, whatever discovery it
// cached while waiting for it.
func TestDeployCRDAndItsResourceTogether(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	for i := range 3 {
		group := fmt.Sprintf("g%d.%s.kship.dev", i, ns)
		t.Cleanup(func() { _ = dyn.Resource(crds).Delete(context.Background(), "gadgets."+group, metav1.DeleteOptions{}) })
		dir := t.TempDir()
		writeFile(t, dir, "app/kustomization.yaml", "namespace: "+ns+"\nresources: [crd.yaml, gadget.yaml]\n")
		writeFile(t, dir, "app/crd.yaml", `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.`+group+`}
spec:
  group: `+group+`
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`)
		writeFile(t, dir, "app/gadget.yaml", "apiVersion: "+group+"/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {size: 1}\n")
		cfg := writeFile(t, dir, "kship.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: %s\n    namespace: %s\n", c.Context(), ns))
		r := deployEnv(t, c, cfg, "--allow-mass-prune")
		mustCode(t, r, 0)
	}
}
