package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
)

// ciIdentity creates, in ns, the Role, RoleBinding and ServiceAccount of
// testdata/apps/ci-identity/role.yaml, and writes a kubeconfig whose only
// user is a token of that ServiceAccount, context "ci" with namespace ns.
func ciIdentity(t *testing.T, c *testcluster.Cluster, ns string) string {
	t.Helper()
	ctx := context.Background()
	dir := corpus(t, "ci-identity", map[string]string{"namespace: shop": "namespace: " + ns})
	f, err := os.Open(filepath.Join(dir, "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewYAMLOrJSONDecoder(f, 4096)
	var role rbacv1.Role
	var binding rbacv1.RoleBinding
	var sa corev1.ServiceAccount
	for _, into := range []any{&role, &binding, &sa} {
		if err := dec.Decode(into); err != nil {
			t.Fatal(err)
		}
	}
	cs := c.Clientset()
	if _, err := cs.RbacV1().Roles(ns).Create(ctx, &role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(3600))}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := clientcmd.LoadFromFile(c.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	cluster := admin.Clusters[admin.Contexts[c.Context()].Cluster]
	kc := clientcmdapi.NewConfig()
	kc.Clusters["local"] = cluster
	kc.AuthInfos["ci"] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
	kc.Contexts["ci"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "ci", Namespace: ns}
	kc.CurrentContext = "ci"
	path := filepath.Join(t.TempDir(), "ci.kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func deployAs(t *testing.T, kubeconfig, cfg string, extra ...string) result {
	t.Helper()
	args := append([]string{"--config", cfg, "deploy", "test", "--kubeconfig", kubeconfig, "--timeout", "60s"}, extra...)
	r := run(t, args...)
	t.Logf("kship %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// A CI identity limited to its namespace deploys a build that holds its own
// Namespace object; one attempt with a cluster-scoped kind it may not touch
// fails, names the RBAC rule, and does not poison later deploys or status.
func TestNamespaceScopedCIIdentity(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	kubeconfig := ciIdentity(t, c, ns)
	dir := corpus(t, "ci-identity", map[string]string{"name: shop": "name: " + ns, "namespace: shop": "namespace: " + ns})
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: ci, namespace: "+ns+"}\n")
	mustCode(t, deployAs(t, kubeconfig, cfg), 0)

	// A ClusterRole slips into the build: refused, with the rule to add.
	writeFile(t, dir, "app/clusterrole.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "+ns+"-reader}\nrules: []\n")
	writeFile(t, dir, "app/kustomization.yaml", "resources: [namespace.yaml, app.yaml, clusterrole.yaml]\n")
	r := deployAs(t, kubeconfig, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "clusterroles", "ClusterRole")

	// It leaves the build: deploys and status work again.
	writeFile(t, dir, "app/kustomization.yaml", "resources: [namespace.yaml, app.yaml]\n")
	r = deployAs(t, kubeconfig, cfg)
	mustCode(t, r, 0)
	if strings.Contains(r.stderr, "forbidden") {
		t.Errorf("a later deploy still trips over the kind that left the build:\n%s", r.stderr)
	}
	// Nothing changed since the first deploy: the dry run, read with this
	// identity's narrower rights, finds each namespaced object as it is.
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Contains(line, "/"+ns+"/") && !strings.Contains(line, " unchanged ") {
			t.Errorf("after no change, a row that is not unchanged: %s", line)
		}
	}
	s := run(t, "--config", cfg, "status", "test", "--kubeconfig", kubeconfig)
	t.Logf("status: exit %d\n%s%s", s.code, s.stdout, s.stderr)
	mustCode(t, s, 0)
}

// The clusterID pin needs a read of kube-system that a namespace-scoped
// identity may not make: the error says how to grant it, and offers the
// clusterCA pin, which needs no read at all.
func TestClusterPinsForANamespaceScopedIdentity(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	kubeconfig := ciIdentity(t, c, ns)
	dir := corpus(t, "ci-identity", map[string]string{"name: shop": "name: " + ns, "namespace: shop": "namespace: " + ns})
	kube, err := c.Clientset().CoreV1().Namespaces().Get(context.Background(), "kube-system", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: ci, namespace: "+ns+", clusterID: "+string(kube.UID)+"}\n")
	r := deployAs(t, kubeconfig, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "kube-system", "resourceNames: [kube-system]", "clusterCA: sha256:")
	ca := r.stderr[strings.Index(r.stderr, "clusterCA: sha256:")+len("clusterCA: "):]
	ca = strings.Fields(ca)[0]

	cfg = writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: ci, namespace: "+ns+", clusterCA: "+ca+"}\n")
	mustCode(t, deployAs(t, kubeconfig, cfg), 0)
	cfg = writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: ci, namespace: "+ns+", clusterCA: sha256:00}\n")
	r = deployAs(t, kubeconfig, cfg)
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "refusing to deploy", ca)
}
