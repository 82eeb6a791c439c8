package engine

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/clientcmd/api"
)

// An API server that cannot be reached when kship maps the build's kinds is
// a cluster error (exit 4) that says so, not an unknown kind (exit 3).
func TestKindLookupWithTheServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := "http://" + l.Addr().String()
	_ = l.Close()
	cfg := api.NewConfig()
	cfg.Clusters["c"] = &api.Cluster{Server: server}
	cfg.AuthInfos["u"] = &api.AuthInfo{}
	cfg.Contexts["x"] = &api.Context{Cluster: "c", AuthInfo: "u"}
	cfg.CurrentContext = "x"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	short := kube.Retry{First: 10 * time.Millisecond, Max: 20 * time.Millisecond, Request: 100 * time.Millisecond, Outage: 100 * time.Millisecond}
	client, err := kube.New(kube.Options{Kubeconfig: path, Retry: &short})
	if err != nil {
		t.Fatal(err)
	}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "settings"}}}
	_, err = defaultNamespaces(context.Background(), client, []*unstructured.Unstructured{cm}, "shop")
	if err == nil {
		t.Fatal("no error with the API server down")
	}
	if got := exitcode.Of(lookupError(err)); got != exitcode.Apply {
		t.Errorf("exit code %d, want %d", got, exitcode.Apply)
	}
	if msg := err.Error(); !strings.Contains(msg, "the API server at "+server+" refused connections") || strings.Contains(msg, "does not know kind") {
		t.Errorf("error %q: want it to say the API server refused connections, not that the kind is unknown", msg)
	}
}
