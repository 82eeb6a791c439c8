package engine

import (
	"fmt"
	"time"

	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// checkTimeouts refuses, before anything is written, an object whose
// kship.dev/timeout annotation is not a positive duration.
func checkTimeouts(objs []*unstructured.Unstructured) error {
	for _, o := range objs {
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
	kinds := config.Timeouts{}
	if c := r.target.Config; c != nil {
		kinds = c.TimeoutsFor(r.target.Env)
	}
	return func(o *unstructured.Unstructured) (time.Duration, string) {
		if v, ok := o.GetAnnotations()[deploy.TimeoutAnnotation]; ok {
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				return d, "its " + deploy.TimeoutAnnotation + " annotation"
			}
		}
		gvk := o.GroupVersionKind()
		if d, key := kinds.For(gvk.Group, gvk.Kind); d > 0 {
			return d, fmt.Sprintf("timeouts: %s in kship.yaml", key)
		}
		return 0, ""
	}
}
