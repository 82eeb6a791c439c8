package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// index is index.json: what the pinned version serves, and where the schema
// of each kind is. pkg/validate reads the same layout.
type index struct {
	KubernetesVersion string         `json:"kubernetesVersion"`
	GroupVersions     []groupVersion `json:"groupVersions"`
}

type groupVersion struct {
	GroupVersion string     `json:"groupVersion"`
	File         string     `json:"file"`
	Resources    []resource `json:"resources"`
}

type resource struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespaced bool   `json:"namespaced"`
	Schema     string `json:"schema"`
}

// dump is what fetch read: the index and each group-version's trimmed
// document, by file name.
type dump struct {
	index index
	docs  map[string][]byte
}

func (d *dump) kinds() int {
	n := 0
	for _, gv := range d.index.GroupVersions {
		n += len(gv.Resources)
	}
	return n
}

// add records one group-version: its createable resources, and its OpenAPI
// document trimmed to the schemas they reach.
func (d *dump) add(gv schema.GroupVersion, path string, resources []metav1.APIResource, raw []byte) error {
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	entry := groupVersion{GroupVersion: gv.String(), File: strings.ReplaceAll(path, "/", "__") + ".json.gz"}
	var roots []string
	for _, r := range resources {
		if !createable(r) {
			continue
		}
		name, ok := schemaFor(doc.Components.Schemas, gv.WithKind(r.Kind))
		if !ok {
			return fmt.Errorf("no schema has x-kubernetes-group-version-kind %s", gv.WithKind(r.Kind))
		}
		entry.Resources = append(entry.Resources, resource{Kind: r.Kind, Name: r.Name, Namespaced: r.Namespaced, Schema: name})
		roots = append(roots, name)
	}
	if len(entry.Resources) == 0 {
		return nil
	}
	slices.SortFunc(entry.Resources, func(a, b resource) int { return strings.Compare(a.Kind, b.Kind) })
	kept := reachable(doc.Components.Schemas, roots)
	out := map[string]any{
		"openapi":    "3.0.0",
		"info":       map[string]any{"title": "Kubernetes " + gv.String() + ", trimmed for kship validate", "version": d.index.KubernetesVersion},
		"components": map[string]any{"schemas": kept},
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	d.docs[entry.File] = b
	d.index.GroupVersions = append(d.index.GroupVersions, entry)
	return nil
}

// schemaFor finds the component whose x-kubernetes-group-version-kind names gvk.
func schemaFor(schemas map[string]any, gvk schema.GroupVersionKind) (string, bool) {
	var found []string
	for name, s := range schemas {
		m, _ := s.(map[string]any)
		list, _ := m["x-kubernetes-group-version-kind"].([]any)
		for _, e := range list {
			g, _ := e.(map[string]any)
			if g["group"] == gvk.Group && g["version"] == gvk.Version && g["kind"] == gvk.Kind {
				found = append(found, name)
			}
		}
	}
	if len(found) == 0 {
		return "", false
	}
	slices.Sort(found)
	return found[0], true
}

// versionDir turns "v1.37.1" into "v1.37".
var versionDir = regexp.MustCompile(`^v(\d+)\.(\d+)`)

// write replaces OUT/v<major>.<minor>/ with the dump and returns the
// directory and the bytes written.
func (d *dump) write(out string) (string, int64, error) {
	m := versionDir.FindStringSubmatch(d.index.KubernetesVersion)
	if m == nil {
		return "", 0, fmt.Errorf("server version %q is not vMAJOR.MINOR...", d.index.KubernetesVersion)
	}
	dir := filepath.Join(out, "v"+m[1]+"."+m[2])
	if err := os.RemoveAll(dir); err != nil {
		return "", 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	var total int64
	for name, b := range d.docs {
		gz, err := gzipBytes(b)
		if err != nil {
			return "", 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), gz, 0o644); err != nil {
			return "", 0, err
		}
		total += int64(len(gz))
	}
	idx, err := json.MarshalIndent(d.index, "", "  ")
	if err != nil {
		return "", 0, err
	}
	idx = append(idx, '\n')
	total += int64(len(idx))
	return dir, total, os.WriteFile(filepath.Join(dir, "index.json"), idx, 0o644)
}

// gzipBytes compresses b with no name or time in the header, so the same
// input always gives the same bytes.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
