package testcluster_test

import (
	"context"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func TestPrivateAPIServerStopsAndStarts(t *testing.T) {
	t.Parallel()
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	s := c.PrivateAPIServer(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	private := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	create := func(name string) error {
		_, err := private.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		return err
	}
	if err := create("before"); err != nil {
		t.Fatal(err)
	}
	// Same etcd: the shared API server sees it.
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Get(ctx, "before", metav1.GetOptions{}); err != nil {
		t.Fatalf("written through the private server, not seen through the shared one: %v", err)
	}
	s.Stop()
	if err := create("while-stopped"); err == nil {
		t.Fatal("a request to the stopped server succeeded")
	}
	if _, err := c.Clientset().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
		t.Fatalf("the shared API server went down with the private one: %v", err)
	}
	s.Start()
	if err := create("after"); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
}
