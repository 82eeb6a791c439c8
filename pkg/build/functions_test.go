package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tree with an exec KRM function, built with KRM functions on but exec
// functions off, must not come out without the function's work: kustomize
// would skip it silently.
func TestExecFunctionNotSkippedSilently(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"kustomization.yaml": "resources: [cm.yaml]\ntransformers: [fn.yaml]\n",
		"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n",
		"fn.yaml": "apiVersion: example.com/v1\nkind: Labeller\nmetadata:\n  name: labeller\n  annotations:\n" +
			"    config.kubernetes.io/function: |\n      exec:\n        path: ./label.sh\n",
		// Adds a label to every object of the ResourceList it reads.
		"label.sh": "#!/bin/sh\nsed 's/^    name: c$/    name: c\\n    labels: {fn: ran}/'\n",
	})
	if err := os.Chmod(filepath.Join(dir, "label.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Build(dir, Options{EnableAlphaPlugins: true})
	if err == nil || !strings.Contains(err.Error(), "fn.yaml") || !strings.Contains(err.Error(), "--enable-exec") {
		t.Fatalf("Build with KRM functions but not exec ones: %v; want an error naming fn.yaml and --enable-exec", err)
	}
	m, err := Build(dir, Options{EnableAlphaPlugins: true, EnableExec: true})
	if err != nil {
		t.Fatalf("with --enable-exec: %v", err)
	}
	out, _ := YAML(m)
	if !strings.Contains(string(out), "fn: ran") {
		t.Errorf("the exec function did not run:\n%s", out)
	}
}

// helmCharts need --enable-helm, which kship has (kustomize's message
// names it).
func TestHelmChartsNeedEnableHelm(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"kustomization.yaml": "helmCharts:\n- {name: redis, repo: https://charts.example.invalid, version: 1.0.0}\n",
	})
	_, err := Build(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "--enable-helm") {
		t.Fatalf("Build = %v, want the --enable-helm error", err)
	}
	_, err = Build(dir, Options{EnableHelm: true, HelmCommand: filepath.Join(dir, "no-such-helm")})
	if err == nil || strings.Contains(err.Error(), "must specify --enable-helm") {
		t.Fatalf("with EnableHelm: %v, want kustomize to try the helm command", err)
	}
}
