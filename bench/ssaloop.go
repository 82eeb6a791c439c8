package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/flowcontrol"
)

// ssaLoopMode runs this program as the bare server-side-apply loop that the
// apply group measures kship against: no phases, no waiting, no inventory,
// just every object applied with bounded concurrency and no client throttle.
const ssaLoopMode = "ssa-loop"

var configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

func ssaLoop(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet(ssaLoopMode, flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig")
	file := fs.String("f", "", "manifest of ConfigMaps")
	concurrency := fs.Int("c", 32, "applies in flight")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	cfg.RateLimiter = flowcontrol.NewFakeAlwaysRateLimiter()
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	objs, err := readObjects(*file)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(*concurrency)
	for _, o := range objs {
		g.Go(func() error {
			_, err := client.Resource(configMaps).Namespace(o.GetNamespace()).Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: "ssa-loop", Force: true})
			return err
		})
	}
	return g.Wait()
}

func readObjects(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if u.GetKind() != "ConfigMap" {
			return nil, fmt.Errorf("%s: %s %s: the loop applies ConfigMaps only", path, u.GetKind(), u.GetName())
		}
		out = append(out, u)
	}
}
