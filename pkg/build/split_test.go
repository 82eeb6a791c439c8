package build

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kship/kship/internal/repo"
	"github.com/kship/kship/internal/treegen"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// platform is a root over n apps, each its own kustomization: the shape a
// split build takes. Edit the files before writing them.
func platform(n int) map[string]string {
	var apps []string
	files := map[string]string{}
	for i := range n {
		app := fmt.Sprintf("app%02d", i)
		apps = append(apps, "  - apps/"+app)
		files["apps/"+app+"/kustomization.yaml"] = fmt.Sprintf(`resources:
  - deployment.yaml
  - service.yaml
labels:
  - pairs: {app: %[1]s}
    includeSelectors: true
configMapGenerator:
  - name: %[1]s-settings
    literals: [NAME=%[1]s]
`, app)
		files["apps/"+app+"/deployment.yaml"] = fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  replicas: 1
  template:
    spec:
      serviceAccountName: runner
      containers:
        - name: main
          image: app
          envFrom:
            - configMapRef: {name: shared-env}
            - configMapRef: {name: %[1]s-settings}
`, app)
		files["apps/"+app+"/service.yaml"] = fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
spec:
  ports: [{port: 80}]
`, app)
	}
	files["kustomization.yaml"] = `namespace: team
namePrefix: prod-
commonAnnotations: {owner: platform}
labels:
  - pairs: {env: prod}
images:
  - name: app
    newTag: "1.2.3"
resources:
  - namespace.yaml
  - rbac.yaml
` + strings.Join(apps, "\n") + `
configMapGenerator:
  - name: shared-env
    literals: [REGION=eu]
replicas:
  - name: app01
    count: 3
  - name: prod-app03
    count: 2
patches:
  - target: {kind: Deployment, labelSelector: app=app02}
    patch: |-
      - op: add
        path: /spec/template/metadata/annotations
        value: {patched: "yes"}
`
	files["namespace.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n"
	files["rbac.yaml"] = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: runner
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - kind: ServiceAccount
    name: runner
`
	return files
}

// buildSplit builds dir as Build does and as one kustomize run, and
// returns both and why the build was not split.
func buildSplit(t *testing.T, dir string, opts Options) (got, want string, why string) {
	t.Helper()
	var whys []string
	splitTraceMu.Lock()
	splitTrace = func(w string) { whys = append(whys, w) }
	splitTraceMu.Unlock()
	defer func() {
		splitTraceMu.Lock()
		splitTrace = nil
		splitTraceMu.Unlock()
	}()
	m, err := Build(dir, opts)
	if err != nil {
		got = "error: " + err.(*Error).Err.Error()
	} else {
		out, err := m.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		got = string(out)
	}
	plainM, err := krusty.MakeKustomizer(opts.krusty()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		want = "error: " + err.Error()
	} else {
		out, err := plainM.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		want = string(out)
	}
	if len(whys) != 1 {
		t.Fatalf("build decided on splitting %d times, want once", len(whys))
	}
	return got, want, whys[0]
}

func TestSplitBuildsAsOne(t *testing.T) {
	services := func(t *testing.T) string {
		dir := t.TempDir()
		if err := treegen.Services(dir, 20); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	tests := []struct {
		name string
		make func(t *testing.T) string
	}{
		{"generated services", services},
		{"platform", func(t *testing.T) string { return writeTree(t, platform(10)) }},
		{"entries with their own prefixes", func(t *testing.T) string {
			files := platform(10)
			files["apps/app04/kustomization.yaml"] += "namePrefix: four-\n"
			files["apps/app07/kustomization.yaml"] += "nameSuffix: -seven\n"
			return writeTree(t, files)
		}},
		{"fan-out below the root", func(t *testing.T) string {
			files := map[string]string{}
			for p, data := range platform(9) {
				files["base/"+p] = data
			}
			files["kustomization.yaml"] = "resources: [base]\nnamespace: other\nnameSuffix: -x\n"
			return writeTree(t, files)
		}},
		{"entries only, and nothing shared", func(t *testing.T) string {
			files := map[string]string{}
			var entries []string
			for i := range 9 {
				name := fmt.Sprintf("c%d", i)
				entries = append(entries, "  - "+name)
				files[name+"/kustomization.yaml"] = "resources: [cm.yaml]\n"
				files[name+"/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n"
			}
			files["kustomization.yaml"] = "resources:\n" + strings.Join(entries, "\n") + "\n"
			return writeTree(t, files)
		}},
		{"the same names in each entry's own namespace", func(t *testing.T) string {
			files := platform(9)
			files["kustomization.yaml"] = strings.Replace(files["kustomization.yaml"], "namespace: team\n", "", 1)
			for i := range 9 {
				app := fmt.Sprintf("apps/app%02d/", i)
				files[app+"kustomization.yaml"] += fmt.Sprintf("namespace: ns%d\n", i)
				files[app+"kustomization.yaml"] = strings.Replace(files[app+"kustomization.yaml"], fmt.Sprintf("name: app%02d-settings", i), "name: settings", 1)
				files[app+"deployment.yaml"] = strings.Replace(files[app+"deployment.yaml"], fmt.Sprintf("name: app%02d-settings", i), "name: settings", 1)
			}
			return writeTree(t, files)
		}},
		{"an operator's custom resources in every service", func(t *testing.T) string {
			files := platform(9)
			files["rbac.yaml"] += `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: monitors.example.com
spec:
  group: example.com
  names: {kind: Monitor, plural: monitors, singular: monitor}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`
			for i := range 9 {
				app := fmt.Sprintf("app%02d", i)
				files["apps/"+app+"/service.yaml"] += fmt.Sprintf("---\napiVersion: example.com/v1\nkind: Monitor\nmetadata:\n  name: %s\nspec:\n  service: %s\n  interval: 30s\n", app, app)
			}
			return writeTree(t, files)
		}},
		{"a deprecated field below the entries", func(t *testing.T) string {
			files := platform(9)
			files["apps/app03/kustomization.yaml"] += "commonLabels: {legacy: \"yes\"}\n"
			return writeTree(t, files)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.make(t)
			got, want, why := buildSplit(t, dir, Options{})
			if why != "" {
				t.Fatalf("not split: %s", why)
			}
			if strings.HasPrefix(want, "error") {
				t.Fatalf("the tree does not build: %s", want)
			}
			if got != want {
				t.Errorf("split build differs from kustomize's:\n%s", lineDiff(want, got))
			}
		})
	}
}

func TestSplitFallsBack(t *testing.T) {
	tests := []struct {
		name, why string
		edit      func(files map[string]string)
	}{
		{"too few entries", "no kustomization gathers", func(f map[string]string) {
			for i := 2; i < 10; i++ {
				delete(f, fmt.Sprintf("apps/app%02d/kustomization.yaml", i))
				f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], fmt.Sprintf("  - apps/app%02d\n", i), "", 1)
			}
		}},
		{"an entry refers to another's object", "mentions", func(f map[string]string) {
			f["apps/app05/deployment.yaml"] = strings.Replace(f["apps/app05/deployment.yaml"], "name: app05-settings", "name: app06-settings", 1)
		}},
		{"an entry's prefix makes a name another entry uses", "mentions", func(f map[string]string) {
			f["apps/app04/kustomization.yaml"] += "namePrefix: app03-\n"
			f["apps/app04/service.yaml"] = strings.Replace(f["apps/app04/service.yaml"], "name: app04", "name: settings", 1)
			f["apps/app03/deployment.yaml"] += "          env: [{name: X, valueFrom: {configMapKeyRef: {name: settings, key: k}}}]\n"
		}},
		{"the same names in one namespace", "mentions", func(f map[string]string) {
			for _, app := range []string{"app02", "app07"} {
				f["apps/"+app+"/kustomization.yaml"] = strings.Replace(f["apps/"+app+"/kustomization.yaml"], "name: "+app+"-settings", "name: settings", 1)
				f["apps/"+app+"/deployment.yaml"] = strings.Replace(f["apps/"+app+"/deployment.yaml"], "name: "+app+"-settings", "name: settings", 1)
				f["apps/"+app+"/kustomization.yaml"] += "namespace: together\n"
			}
		}},
		{"ServiceAccounts of one name in several namespaces", "mentions", func(f map[string]string) {
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "namespace: team\n", "", 1)
			for _, app := range []string{"app02", "app07"} {
				f["apps/"+app+"/service.yaml"] += "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: worker\n"
				f["apps/"+app+"/deployment.yaml"] = strings.Replace(f["apps/"+app+"/deployment.yaml"], "serviceAccountName: runner", "serviceAccountName: worker", 1)
				f["apps/"+app+"/kustomization.yaml"] += "namespace: ns-" + app + "\n"
			}
		}},
		{"two entries make the same object", "both make", func(f map[string]string) {
			f["apps/app09/service.yaml"] = strings.Replace(f["apps/app09/service.yaml"], "name: app09", "name: app00", 1)
		}},
		{"a shared object refers to entries", "", func(f map[string]string) {
			f["rbac.yaml"] += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n    - http:\n        paths:\n          - {path: /a, pathType: Prefix, backend: {service: {name: app01, port: {number: 80}}}}\n          - {path: /b, pathType: Prefix, backend: {service: {name: app02, port: {number: 80}}}}\n"
		}},
		{"vars", "vars", func(f map[string]string) {
			f["apps/app01/kustomization.yaml"] += "vars:\n  - name: SVC\n    objref: {kind: Service, name: app01, apiVersion: v1}\n"
		}},
		{"replacements", "replacements", func(f map[string]string) {
			f["kustomization.yaml"] += "replacements:\n  - source: {kind: ConfigMap, name: shared-env}\n    targets:\n      - select: {kind: Deployment}\n        fieldPaths: [metadata.annotations.cm]\n        options: {create: true}\n"
		}},
		{"a JSON patch renames", "JSON patch", func(f map[string]string) {
			f["apps/app02/kustomization.yaml"] += "patches:\n  - target: {kind: Service}\n    patch: '[{\"op\": \"replace\", \"path\": \"/metadata/name\", \"value\": \"renamed\"}]'\n"
		}},
		{"a patch may rename", "may rename", func(f map[string]string) {
			f["kustomization.yaml"] += "  - target: {kind: Service, name: app01}\n    options: {allowNameChange: true}\n    patch: |-\n      apiVersion: v1\n      kind: Service\n      metadata: {name: app01-new}\n"
		}},
		{"a patch names one entry's object", "a part failed", func(f map[string]string) {
			f["kustomization.yaml"] += "  - patch: |-\n      apiVersion: v1\n      kind: Service\n      metadata: {name: app01}\n      spec: {type: NodePort}\n"
		}},
		{"replicas of a shared workload", "every part shares", func(f map[string]string) {
			f["rbac.yaml"] += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gateway\n"
			f["kustomization.yaml"] += "replicas:\n  - name: gateway\n    count: 2\n"
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "replicas:\n  - name: app01", "replicas:\n  - name: gateway\n    count: 2\n  - name: app01", 1)
			f["kustomization.yaml"] = strings.TrimSuffix(f["kustomization.yaml"], "replicas:\n  - name: gateway\n    count: 2\n")
		}},
		{"replicas of nothing", "no part makes", func(f map[string]string) {
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "name: app01\n", "name: nothing\n", 1)
		}},
		{"a merge into an entry's ConfigMap", "a part failed", func(f map[string]string) {
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "configMapGenerator:\n", "configMapGenerator:\n  - name: app01-settings\n    behavior: merge\n    literals: [EXTRA=1]\n", 1)
		}},
		{"legacy bases above the entries", "deprecated fields", func(f map[string]string) {
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "  - rbac.yaml\n", "  - rbac.yaml\nbases:\n", 1)
		}},
		{"a local-config object another part refers to", "local-config", func(f map[string]string) {
			f["rbac.yaml"] += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: only-local\n"
			f["apps/app01/service.yaml"] += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations: {config.kubernetes.io/local-config: \"true\"}\n"
			f["apps/app02/deployment.yaml"] += "          env: [{name: X, valueFrom: {configMapKeyRef: {name: settings, key: k}}}]\n"
		}},
		{"a local-config annotation spelt in escapes", "local-config", func(f map[string]string) {
			f["apps/app01/service.yaml"] += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations: {\"config.kubernetes.io/local\\x2dconfig\": \"true\"}\n"
			f["apps/app02/deployment.yaml"] += "          env: [{name: X, valueFrom: {configMapKeyRef: {name: settings, key: k}}}]\n"
		}},
		{"a JSON patch renames, with escaped slashes", "JSON patch", func(f map[string]string) {
			f["apps/app02/kustomization.yaml"] += "patches:\n  - target: {kind: Service}\n    patch: '[{\"op\": \"replace\", \"path\": \"\\/metadata\\/name\", \"value\": \"renamed\"}]'\n"
		}},
		{"transformer annotations", "transformerAnnotations", func(f map[string]string) {
			f["kustomization.yaml"] += "buildMetadata: [transformerAnnotations]\n"
		}},
		{"sortOptions", "sortOptions", func(f map[string]string) {
			f["kustomization.yaml"] += "sortOptions: {order: fifo}\n"
		}},
		{"a remote resource", "not a local", func(f map[string]string) {
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "  - rbac.yaml\n", "  - rbac.yaml\n  - https://example.invalid/x.yaml\n", 1)
		}},
		{"a broken entry", "a part failed", func(f map[string]string) {
			f["apps/app03/service.yaml"] = "apiVersion: v1\nkind: Service\nmetadata: [\n"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := platform(10)
			tt.edit(files)
			dir := writeTree(t, files)
			got, want, why := buildSplit(t, dir, Options{})
			if why == "" {
				t.Fatalf("split, want it to fall back (%q)", tt.why)
			}
			t.Logf("fell back: %s", why)
			if !strings.Contains(why, tt.why) {
				t.Errorf("fell back because %q, want %q", why, tt.why)
			}
			if got != want {
				t.Errorf("build differs from kustomize's:\n%s", lineDiff(want, got))
			}
		})
	}
}

// lineDiff shows the first lines where got and want differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return "(same lines)"
}

// TestSplitEveryTree builds every kustomization of the repository (the
// sample app, the examples, the parity and broken corpora) split wherever a
// kustomization gathers two directories or more, or else along the
// documents of any two or more in its own files, and holds each to one
// kustomize run: the same objects in the same order, or the same error.
func TestSplitEveryTree(t *testing.T) {
	root, err := repo.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	defer func(n, d int) { splitMin, docSplitMin = n, d }(splitMin, docSplitMin)
	splitMin, docSplitMin = 2, 2
	var dirs []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "bin") {
			return filepath.SkipDir
		}
		for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
			if _, err := os.Stat(filepath.Join(p, name)); err == nil {
				dirs = append(dirs, p)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The trees that must be built in parts, and one that must not be.
	mustSplit := map[string]bool{
		"testdata/parity/fanout/platform":    true,
		"testdata/parity/fanout/shared-base": false,
		"testdata/parity/fanout/catalogue":   true,
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			got, want, why := buildSplit(t, dir, Options{})
			if why != "" {
				t.Logf("not split: %s", why)
			}
			if must, ok := mustSplit[rel]; ok && must != (why == "") {
				t.Errorf("split: %t, want %t (%s)", why == "", must, why)
			}
			if got, want = unaddressed(got), unaddressed(want); got != want {
				t.Errorf("differs from one kustomize run (split: %t, %s):\n%s", why == "", why, lineDiff(want, got))
			}
		})
	}
}

// unaddressed drops the pointers kustomize prints in some errors.
func unaddressed(s string) string {
	return regexp.MustCompile(`0x[0-9a-f]+`).ReplaceAllString(s, "0x")
}

func TestSplitReuse(t *testing.T) {
	dir := writeTree(t, platform(10))
	reuse := &Reuse{}
	opts := Options{Reuse: reuse}
	first, want, why := buildSplit(t, dir, opts)
	if why != "" || first != want {
		t.Fatalf("first build: split %q, same as kustomize: %t", why, first == want)
	}
	runs := krustyRuns.Load()
	again, _, _ := buildSplit(t, dir, opts)
	if again != first {
		t.Errorf("the build from kept parts differs:\n%s", lineDiff(first, again))
	}
	if n := krustyRuns.Load() - runs; n != 0 {
		t.Errorf("built %d parts again, want none", n)
	}
	parts := reuse.Reused()
	if parts < 2 {
		t.Fatalf("reused %d parts", parts)
	}

	// One entry changes: its part alone is built again.
	p := filepath.Join(dir, "apps", "app04", "deployment.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), "replicas: 1", "replicas: 5", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	runs = krustyRuns.Load()
	got, want, _ := buildSplit(t, dir, opts)
	if got != want || !strings.Contains(got, "replicas: 5") {
		t.Errorf("after an entry's change, the build differs from kustomize's:\n%s", lineDiff(want, got))
	}
	if n := krustyRuns.Load() - runs; n != 1 {
		t.Errorf("built %d parts again after one entry changed, want 1", n)
	}

	// What every part reads changes: nothing is reused.
	root := filepath.Join(dir, "kustomization.yaml")
	data, err = os.ReadFile(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root, []byte(strings.Replace(string(data), "owner: platform", "owner: someone", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	before := reuse.Reused()
	got, want, _ = buildSplit(t, dir, opts)
	if got != want || !strings.Contains(got, "owner: someone") {
		t.Errorf("after the root's change, the build differs from kustomize's:\n%s", lineDiff(want, got))
	}
	if n := reuse.Reused() - before; n != 0 {
		t.Errorf("reused %d parts after the root changed, want none", n)
	}
}

// TestSplitOrigins builds in parts as a deploy does, recording where each
// object came from: every object has its file, and the output is the same
// as without.
func TestSplitOrigins(t *testing.T) {
	dir := writeTree(t, platform(10))
	origins := Origins{}
	got, want, why := buildSplit(t, dir, Options{Origins: origins})
	if why != "" {
		t.Fatalf("not split: %s", why)
	}
	if got != want {
		t.Errorf("the build with origins differs from kustomize's:\n%s", lineDiff(want, got))
	}
	m, err := Build(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Objects(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if origins.Of(o) == nil {
			t.Errorf("%s %s has no origin", o.GetKind(), o.GetName())
		}
	}
	if d := origins.Of(objs[len(objs)-1]); d != nil && !strings.HasPrefix(d.Path, "apps/") {
		t.Errorf("the last object (%s) comes from %s, want a service's file", objs[len(objs)-1].GetName(), d.Path)
	}
}
