package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// engineRuns is how many times each apply engine runs in the comparison.
const engineRuns = 3

// engineReport times kship's apply engine (package apply, in this process)
// against a bare concurrent server-side-apply loop on the same objects,
// both creating them from nothing: kship's share of the loop's throughput,
// without the build, the wait and the bookkeeping a deploy adds.
func (g *applyGroup) engineReport(ctx context.Context, client *kube.Client, manifest string) (string, error) {
	objs, err := readObjects(manifest)
	if err != nil {
		return "", err
	}
	var kship, loop []time.Duration
	for range engineRuns {
		for _, which := range []string{"kship", "loop"} {
			if err := g.clear(ctx); err != nil {
				return "", err
			}
			start := time.Now()
			if which == "kship" {
				_, err = apply.New(client, apply.Options{}).Apply(ctx, objs)
			} else {
				err = bareLoop(ctx, client, objs, apply.DefaultConcurrency)
			}
			if err != nil {
				return "", fmt.Errorf("%s engine: %w", which, err)
			}
			d := time.Since(start)
			if which == "kship" {
				kship = append(kship, d)
			} else {
				loop = append(loop, d)
			}
		}
	}
	k, l := median(kship), median(loop)
	rate := func(d time.Duration) float64 { return float64(len(objs)) / d.Seconds() }
	return fmt.Sprintf("apply engine: kship %s (%.0f objects/s), bare SSA loop %s (%.0f objects/s): kship reaches %.0f%% of the loop's throughput (median of %d, in one process, same cluster)",
		fmtDuration(k), rate(k), fmtDuration(l), rate(l), 100*rate(k)/rate(l), engineRuns), nil
}

func bareLoop(ctx context.Context, client *kube.Client, objs []*unstructured.Unstructured, concurrency int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	for _, o := range objs {
		g.Go(func() error {
			_, err := client.Dynamic.Resource(configMaps).Namespace(o.GetNamespace()).Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: "ssa-loop", Force: true})
			return err
		})
	}
	return g.Wait()
}
