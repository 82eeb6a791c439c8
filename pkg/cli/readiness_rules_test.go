package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
)

// topicGroup is the API group of the test's Topic kind: of its own, as a
// CRD is cluster-wide and the test's namespace is not.
func topicGroup(ns string) string { return ns + ".kship.dev" }

func topicGVR(ns string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: topicGroup(ns), Version: "v1", Resource: "topics"}
}

// withTopic adds to the app in dir a CRD of kind Topic (no controller:
// the test writes its status) and a Topic with partitions.
func withTopic(t *testing.T, dir, ns string, partitions int) {
	t.Helper()
	writeFile(t, dir, "app/crd.yaml", `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: topics.`+topicGroup(ns)+`}
spec:
  group: `+topicGroup(ns)+`
  names: {kind: Topic, plural: topics, singular: topic}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`)
	writeFile(t, dir, "app/topic.yaml", fmt.Sprintf("apiVersion: %s/v1\nkind: Topic\nmetadata: {name: orders}\nspec: {partitions: %d}\n", topicGroup(ns), partitions))
	editFile(t, filepath.Join(dir, "app/kustomization.yaml"), "resources: [", "resources: [crd.yaml, topic.yaml, ")
}

func topicRule(ns string) string {
	return `readiness:
- apiVersion: ` + topicGroup(ns) + `/v1
  kind: Topic
  current: "status.?partitions.orValue(0) == spec.partitions"
  failed: "status.?error.orValue('') != ''"
`
}

// patchTopicStatus writes the Topic's status, as its controller would,
// once its spec has the given partitions.
func patchTopicStatus(t *testing.T, c *testcluster.Cluster, ns string, partitions int, status string) <-chan error {
	done := make(chan error, 1)
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for ctx.Err() == nil {
			o, err := dyn.Resource(topicGVR(ns)).Namespace(ns).Get(ctx, "orders", metav1.GetOptions{})
			if err == nil {
				if p, _, _ := unstructured.NestedInt64(o.Object, "spec", "partitions"); p == int64(partitions) {
					time.Sleep(time.Second) // seen InProgress first
					_, err = dyn.Resource(topicGVR(ns)).Namespace(ns).Patch(ctx, "orders", types.MergePatchType,
						[]byte(`{"status": `+status+`}`), metav1.PatchOptions{}, "status")
					done <- err
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		done <- ctx.Err()
	}()
	return done
}

// TestReadinessRule waits for a custom resource by a CEL rule of
// kship.yaml: InProgress until its status matches its spec, then Current;
// Failed when its status reports an error. kship status judges it by the
// same rule.
func TestReadinessRule(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	t.Cleanup(func() {
		_ = dyn.Resource(crds).Delete(context.Background(), "topics."+topicGroup(ns), metav1.DeleteOptions{})
	})
	dir := t.TempDir()
	app{Replicas: 1, NoJob: true}.write(t, dir, c.Context(), ns)
	withTopic(t, dir, ns, 6)
	cfg := writeFile(t, dir, "kship.yaml", topicRule(ns)+"environments:\n  test:\n    overlay: app\n    context: "+c.Context()+"\n    namespace: "+ns+"\n")

	patched := patchTopicStatus(t, c, ns, 6, `{"partitions": 6}`)
	r := deployEnv(t, c, cfg)
	if err := <-patched; err != nil {
		t.Fatal(err)
	}
	mustCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, `Topic/`+ns+`/orders: waiting for topic "orders": status.?partitions.orValue(0) == spec.partitions is not yet true`,
		`topic "orders" is current by the readiness rule for Topic.`+topicGroup(ns)+` (kship.yaml)`)
	st := run(t, "--config", cfg, "status", "test", "--kubeconfig", c.Kubeconfig())
	mustCode(t, st, 0)
	mustContain(t, "status", st.stdout, `is current by the readiness rule for Topic.`+topicGroup(ns)+` (kship.yaml)`)

	app{Replicas: 1, NoJob: true}.write(t, dir, c.Context(), ns)
	withTopic(t, dir, ns, 12)
	writeFile(t, dir, "kship.yaml", topicRule(ns)+"environments:\n  test:\n    overlay: app\n    context: "+c.Context()+"\n    namespace: "+ns+"\n")
	patched = patchTopicStatus(t, c, ns, 12, `{"partitions": 6, "error": "InvalidPartitions", "message": "cannot shrink or grow past 8"}`)
	r = deployEnv(t, c, cfg)
	if err := <-patched; err != nil {
		t.Fatal(err)
	}
	mustCode(t, r, 5)
	mustContain(t, "stdout", r.stdout, `failed by the readiness rule for Topic.`+topicGroup(ns)+` (kship.yaml): status.?error.orValue('') != '': cannot shrink or grow past 8`)
}

// TestReadinessRuleDoesNotCompile refuses kship.yaml, naming the rule's
// line, before anything is built or applied.
func TestReadinessRuleDoesNotCompile(t *testing.T) {
	dir := t.TempDir()
	app{NoJob: true}.write(t, dir, "unused", "shop")
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: c, namespace: shop}\nreadiness:\n- apiVersion: rules.kship.dev/v1\n  kind: Topic\n  current: \"status.partitions ==\"\n")
	r := run(t, "--config", cfg, "deploy", "test")
	mustCode(t, r, 3)
	mustContain(t, "stderr", r.stderr, "kship.yaml:4: readiness[0] (rules.kship.dev/v1 Topic): current: \"status.partitions ==\" does not compile")
}
