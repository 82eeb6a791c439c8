package engine

import (
	"strconv"

	"github.com/kship/kship/pkg/deploy"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// RunAnnotation, on the pod template of a post-deploy Job, is the revision
// it runs for: a smoke test runs on every deploy, also when its own spec
// did not change (its Job is recreated), and never passes on an earlier
// deploy's run.
const RunAnnotation = "kship.dev/run-for-revision"

var jobKind = schema.GroupKind{Group: "batch", Kind: "Job"}

// stampPostDeploy returns objs with each post-deploy Job's pod template
// annotated with rev (copies; objs is not changed).
func stampPostDeploy(objs []*unstructured.Unstructured, rev int) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		out[i] = o
		if o.GetAnnotations()[deploy.PhaseAnnotation] != deploy.PostDeploy || o.GroupVersionKind().GroupKind() != jobKind {
			continue
		}
		c := o.DeepCopy()
		ann, _, _ := unstructured.NestedStringMap(c.Object, "spec", "template", "metadata", "annotations")
		if ann == nil {
			ann = map[string]string{}
		}
		ann[RunAnnotation] = strconv.Itoa(rev)
		_ = unstructured.SetNestedStringMap(c.Object, ann, "spec", "template", "metadata", "annotations")
		out[i] = c
	}
	return out
}
