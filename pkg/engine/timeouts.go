package engine

import (
	"fmt"
	"time"

	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// checkAnnotations refuses, before anything is written, an object whose
// kship.dev/phase is not a phase kship knows (a typo would deploy it with
// the workloads), or whose kship.dev/timeout is not a positive duration.
func checkAnnotations(objs []*unstructured.Unstructured) error {
	for _, o := range objs {
		if p, ok := o.GetAnnotations()[deploy.PhaseAnnotation]; ok && p != deploy.PreDeploy && p != deploy.PostDeploy {
			return fmt.Errorf("%s: annotation %s: %q is not a phase: want %s or %s", object.RefOf(o), deploy.PhaseAnnotation, p, deploy.PreDeploy, deploy.PostDeploy)
		}
		v, ok := o.GetAnnotations()[deploy.TimeoutAnnotation]
		if !ok {
			continue
		}
		if d, err := time.ParseDuration(v); err != nil || d <= 0 {
			return fmt.Errorf("%s: annotation %s: %q is not a duration: write one as 90s, 10m or 1h30m", object.RefOf(o), deploy.TimeoutAnnotation, v)
		}
	}
	return nil
}

// timeouts returns the function that gives each object its own wait
// timeout: its kship.dev/timeout annotation, else its kind's in
// kship.yaml's timeouts (the environment's, else the top-level ones).
func (r *runner) timeouts() func(*unstructured.Unstructured) (time.Duration, string) {
	c := r.target.Config
	return func(o *unstructured.Unstructured) (time.Duration, string) {
		if v, ok := o.GetAnnotations()[deploy.TimeoutAnnotation]; ok {
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				return d, "its " + deploy.TimeoutAnnotation + " annotation"
			}
		}
		if c == nil {
			return 0, ""
		}
		gvk := o.GroupVersionKind()
		return c.TimeoutFor(r.target.Env, gvk.Group, gvk.Kind)
	}
}
