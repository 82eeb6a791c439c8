package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// fetch reads the server's version, its built-in resources and their
// OpenAPI v3 documents, trimmed.
func fetch(ctx context.Context, kubeconfig, kubeContext string) (*dump, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w (start the local cluster with tools/cluster/up.sh)", kubeconfig, err)
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 100, 200
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ver, err := dc.ServerVersion()
	if err != nil {
		return nil, fmt.Errorf("server version: %w", err)
	}
	foreign, err := foreignGroupVersions(ctx, cfg)
	if err != nil {
		return nil, err
	}
	_, lists, err := dc.ServerGroupsAndResources()
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	paths, err := dc.OpenAPIV3().Paths()
	if err != nil {
		return nil, fmt.Errorf("openapi/v3: %w", err)
	}
	d := &dump{index: index{KubernetesVersion: ver.GitVersion}, docs: map[string][]byte{}}
	for _, list := range lists {
		if foreign[list.GroupVersion] {
			continue
		}
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return nil, err
		}
		path := "api/" + gv.Version
		if gv.Group != "" {
			path = "apis/" + gv.Group + "/" + gv.Version
		}
		src, ok := paths[path]
		if !ok {
			return nil, fmt.Errorf("%s is served but /openapi/v3/%s is not", list.GroupVersion, path)
		}
		raw, err := src.Schema(runtime.ContentTypeJSON)
		if err != nil {
			return nil, fmt.Errorf("/openapi/v3/%s: %w", path, err)
		}
		if err := d.add(gv, path, list.APIResources, raw); err != nil {
			return nil, fmt.Errorf("/openapi/v3/%s: %w", path, err)
		}
	}
	slices.SortFunc(d.index.GroupVersions, func(a, b groupVersion) int { return strings.Compare(a.GroupVersion, b.GroupVersion) })
	return d, nil
}

// foreignGroupVersions returns the group-versions that CRDs or aggregated
// API servers serve: not part of Kubernetes itself.
func foreignGroupVersions(ctx context.Context, cfg *rest.Config) (map[string]bool, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	crds, err := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing CRDs: %w", err)
	}
	for _, crd := range crds.Items {
		var spec struct {
			Group    string `json:"group"`
			Versions []struct {
				Name string `json:"name"`
			} `json:"versions"`
		}
		if err := fromMap(crd.Object["spec"], &spec); err != nil {
			return nil, fmt.Errorf("CRD %s: %w", crd.GetName(), err)
		}
		for _, v := range spec.Versions {
			out[spec.Group+"/"+v.Name] = true
		}
	}
	svcs, err := dyn.Resource(schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing APIServices: %w", err)
	}
	for _, s := range svcs.Items {
		var spec struct {
			Service *struct{} `json:"service"`
			Group   string    `json:"group"`
			Version string    `json:"version"`
		}
		if err := fromMap(s.Object["spec"], &spec); err != nil {
			return nil, fmt.Errorf("APIService %s: %w", s.GetName(), err)
		}
		if spec.Service != nil {
			out[spec.Group+"/"+spec.Version] = true
		}
	}
	return out, nil
}

// fromMap decodes an unstructured value into out.
func fromMap(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// createable reports whether r is a top-level resource a manifest can hold.
func createable(r metav1.APIResource) bool {
	return !strings.Contains(r.Name, "/") && slices.Contains(r.Verbs, "create")
}
