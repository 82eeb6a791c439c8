package testcluster

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EnvKeepNamespaces, set to 1, keeps the namespaces tests create so that they
// can be inspected afterwards.
const EnvKeepNamespaces = "KSHIP_KEEP_NAMESPACES"

// Require returns the local cluster, starting it if needed (see Start). If no
// cluster can be had, it skips the test, or fails it when CI=true or
// KSHIP_REQUIRE_CLUSTER=1: under CI a missing cluster is never silently
// ignored.
func Require(t testing.TB) *Cluster {
	t.Helper()
	c, err := Start(context.Background())
	if err != nil {
		if required() {
			t.Fatalf("a Kubernetes cluster is required (CI=true or %s=1) but unavailable: %v", EnvRequire, err)
		}
		t.Skipf("no Kubernetes cluster (start one with `make cluster-up`): %v", err)
	}
	return c
}

func required() bool {
	truthy := func(v string) bool { return v == "1" || strings.EqualFold(v, "true") }
	return truthy(os.Getenv("CI")) || truthy(os.Getenv(EnvRequire))
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// Namespace creates a namespace for the test, named after it, and deletes it
// when the test ends (unless KSHIP_KEEP_NAMESPACES=1). It returns once the
// namespace's "default" ServiceAccount exists, so pods can be created in it
// right away.
func (c *Cluster) Namespace(t testing.TB) string {
	t.Helper()
	base := strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(base) > 40 {
		base = strings.TrimRight(base[:40], "-")
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "t-" + base + "-",
		Labels:       map[string]string{"kship.dev/test": "true"},
	}}
	ns, err := c.clientset.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating test namespace: %v", err)
	}
	c.own(t, ns.Name)
	return ns.Name
}

// own deletes the test's namespace name when the test ends (unless
// KSHIP_KEEP_NAMESPACES=1), and waits until pods can be created in it.
func (c *Cluster) own(t testing.TB, name string) {
	t.Helper()
	t.Cleanup(func() {
		if os.Getenv(EnvKeepNamespaces) == "1" {
			t.Logf("keeping namespace %s (%s=1)", name, EnvKeepNamespaces)
			return
		}
		err := c.clientset.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting namespace %s: %v", name, err)
		}
	})
	if err := c.waitServiceAccount(name); err != nil {
		t.Fatalf("namespace %s: %v", name, err)
	}
}

// NamespaceNamed creates namespace name for the test, as Namespace does:
// for a test that needs the same namespace in two clusters (the other's,
// made with Namespace).
func (c *Cluster) NamespaceNamed(t testing.TB, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kship.dev/test": "true"}}}
	if _, err := c.clientset.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating test namespace %s: %v", name, err)
	}
	c.own(t, name)
}

// waitServiceAccount waits for kube-controller-manager to create the default
// ServiceAccount of a new namespace; until then pods are rejected.
func (c *Cluster) waitServiceAccount(ns string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		_, err := c.clientset.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if err == nil {
			return nil
		}
		if !apierrors.IsNotFound(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.New(`timed out waiting for ServiceAccount "default" (is kube-controller-manager running?)`)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
