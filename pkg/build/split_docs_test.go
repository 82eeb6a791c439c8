package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/repo"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

// catalogue is one kustomization over a file of n services, each a
// ConfigMap, a Deployment that reads it and a Service that selects it:
// the shape of a generated or vendored install file.
func catalogue(n int) map[string]string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: svc%03[1]d-config
data:
  LEVEL: info
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc%03[1]d
spec:
  replicas: 1
  selector: {matchLabels: {app: svc%03[1]d}}
  template:
    metadata: {labels: {app: svc%03[1]d}}
    spec:
      containers:
        - name: main
          image: app
          envFrom: [{configMapRef: {name: svc%03[1]d-config}}]
---
apiVersion: v1
kind: Service
metadata:
  name: svc%03[1]d
spec:
  selector: {app: svc%03[1]d}
  ports: [{port: 80}]
`, i)
	}
	return map[string]string{
		"services.yaml":  b.String(),
		"namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
		"kustomization.yaml": `namespace: shop
namePrefix: prod-
labels:
  - pairs: {env: prod}
commonAnnotations: {owner: shop}
images:
  - name: app
    newTag: "2.0"
resources:
  - namespace.yaml
  - services.yaml
configMapGenerator:
  - name: shared
    literals: [REGION=eu]
replicas:
  - name: svc007
    count: 3
`,
	}
}

func TestSplitDocumentsBuildsAsOne(t *testing.T) {
	tests := []struct {
		name string
		edit func(f map[string]string)
	}{
		{"services in one file", func(map[string]string) {}},
		{"services in a file each", func(f map[string]string) {
			docs, _ := cutDocuments([]byte(f["services.yaml"]))
			delete(f, "services.yaml")
			var list []string
			for i, d := range docs[1:] {
				name := fmt.Sprintf("obj%03d.yaml", i)
				f[name] = d
				list = append(list, "  - "+name)
			}
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "  - services.yaml\n", strings.Join(list, "\n")+"\n", 1)
		}},
		{"separators with comments, CRLF, and a first line separator", func(f map[string]string) {
			s := strings.ReplaceAll(f["services.yaml"], "---\napiVersion: v1\nkind: Service", "--- # the service\napiVersion: v1\nkind: Service")
			f["services.yaml"] = strings.ReplaceAll(s, "\n", "\r\n")
		}},
		{"kept line ends, empty and comment-only documents, no last line end", func(f map[string]string) {
			s := strings.Replace(f["services.yaml"], "data:\n  LEVEL: info\n", "data:\n  LEVEL: info\n  BANNER: |+\n    hello\n\n", 5)
			s = strings.Replace(s, "---\n", "---\n---\n# nothing here\n---\n", 7)
			f["services.yaml"] = s + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tail\ndata:\n  T: |+\n    end\n"
			f["services.yaml"] = strings.TrimSuffix(f["services.yaml"], "\n")
		}},
		{"a List and anchors among the documents", func(f map[string]string) {
			f["services.yaml"] = strings.Replace(f["services.yaml"], "---\n", `---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata: {name: robot}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: defaults}
    data: {A: &a "1", B: *a}
---
`, 1)
		}},
		{"every service reads one ConfigMap and runs as one ServiceAccount", func(f map[string]string) {
			s := strings.ReplaceAll(f["services.yaml"], "envFrom: [{configMapRef: {name: svc", "envFrom: [{configMapRef: {name: common}}, {configMapRef: {name: svc")
			s = strings.ReplaceAll(s, "config}}]", "config}}]\n      serviceAccountName: runner")
			f["services.yaml"] = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: common\n" + s
		}},
		{"a file of one List with a functionConfig among many files", func(f map[string]string) {
			docs, _ := cutDocuments([]byte(f["services.yaml"]))
			delete(f, "services.yaml")
			list := []string{"  - list.yaml"}
			for i, d := range docs[1:] {
				name := fmt.Sprintf("obj%03d.yaml", i)
				f[name] = d
				list = append(list, "  - "+name)
			}
			f["list.yaml"] = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nmetadata: {name: rl}\nfunctionConfig: {apiVersion: v1, kind: ConfigMap, metadata: {name: fc}}\n"
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "  - services.yaml\n", strings.Join(list, "\n")+"\n", 1)
		}},
		{"two files of the kustomization", func(f map[string]string) {
			f["more.yaml"] = strings.ReplaceAll(catalogue(20)["services.yaml"], "svc0", "more0")
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "  - services.yaml\n", "  - services.yaml\n  - more.yaml\n", 1)
		}},
		{"below an overlay", func(f map[string]string) {
			for p, data := range catalogue(50) {
				delete(f, p)
				f["base/"+p] = data
			}
			f["kustomization.yaml"] = "resources: [base]\nnameSuffix: -v2\nlabels: [{pairs: {tier: web}}]\n"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := catalogue(50)
			tt.edit(files)
			dir := writeTree(t, files)
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

func TestSplitDocumentsFallsBack(t *testing.T) {
	tests := []struct {
		name, why string
		edit      func(f map[string]string)
	}{
		{"too few documents", "lists 128 documents", func(f map[string]string) {
			f["services.yaml"] = catalogue(20)["services.yaml"]
		}},
		{"the file is read by a generator too", "named 2 times", func(f map[string]string) {
			f["kustomization.yaml"] += "secretGenerator:\n  - name: copy\n    files: [services.yaml]\n"
		}},
		{"a patch without a target", "without a target", func(f map[string]string) {
			f["kustomization.yaml"] += "patches:\n  - patch: |-\n      apiVersion: v1\n      kind: Service\n      metadata: {name: svc003}\n      spec: {type: NodePort}\n"
		}},
		{"the services in a chain", "mention one another", func(f map[string]string) {
			for i := 1; i < 50; i++ {
				f["services.yaml"] = strings.Replace(f["services.yaml"], "LEVEL: info", fmt.Sprintf("UPSTREAM: svc%03d", i), 1)
			}
		}},
		{"a name given after the prefix", "mentions", func(f map[string]string) {
			f["services.yaml"] = strings.Replace(f["services.yaml"], "LEVEL: info", "LEVEL: prod-svc040", 1)
		}},
		{"a separator kustomize refuses", "refuses", func(f map[string]string) {
			f["services.yaml"] = strings.Replace(f["services.yaml"], "---\napiVersion: apps/v1", "--- apps\napiVersion: apps/v1", 1)
		}},
		{"a carriage return before a CRLF", "carriage return", func(f map[string]string) {
			f["services.yaml"] += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: crlf\ndata:\n  text: |\n    a\r\r\r\n    b\n"
		}},
		{"the file named in escapes", "escape sequence", func(f map[string]string) {
			f["kustomization.yaml"] += "secretGenerator:\n  - name: copy\n    files: [\"services\\x2eyaml\"]\n"
		}},
		{"a broken document", "document 1 of", func(f map[string]string) {
			f["services.yaml"] = strings.Replace(f["services.yaml"], "data:\n  LEVEL: info\n", "data: [\n", 1)
		}},
		{"replicas of a workload in no document", "no part makes", func(f map[string]string) {
			f["kustomization.yaml"] = strings.Replace(f["kustomization.yaml"], "name: svc007", "name: gone", 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := catalogue(50)
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

// TestSplitDocumentsRelative builds from the tree's own directory, named
// ".": the parts still read only their documents (so the replicas find
// their part and the build is split), with as many kustomize runs as from
// its absolute path.
func TestSplitDocumentsRelative(t *testing.T) {
	dir := writeTree(t, catalogue(50))
	runs := krustyRuns.Load()
	if _, _, why := buildSplit(t, dir, Options{}); why != "" {
		t.Fatalf("not split from the absolute path: %s", why)
	}
	absRuns := krustyRuns.Load() - runs
	t.Chdir(dir)
	runs = krustyRuns.Load()
	got, want, why := buildSplit(t, ".", Options{})
	if why != "" {
		t.Fatalf("not split: %s", why)
	}
	if got != want {
		t.Errorf("split build differs from kustomize's:\n%s", lineDiff(want, got))
	}
	if n := krustyRuns.Load() - runs; n != absRuns {
		t.Errorf("%d kustomize runs from \".\", %d from the absolute path", n, absRuns)
	}
}

// TestSplitDocumentsParts builds a file in parts and looks at the parts:
// each is named by a document of its own, and the replicas' workload is
// guessed right, so no part is built twice.
func TestSplitDocumentsParts(t *testing.T) {
	dir := writeTree(t, catalogue(200))
	cache := newReadCache(filesys.MakeFsOnDisk())
	tree, why := walkTree(cache, dir, true)
	if why != "" {
		t.Fatal(why)
	}
	sl, why := newSlicer(cache, dir, Options{}, tree)
	if why != "" {
		t.Fatal(why)
	}
	runs := krustyRuns.Load()
	if _, why := trySplit(cache, dir, Options{}); why != "" {
		t.Fatalf("not split: %s", why)
	}
	shared, groups, why := sl.groups()
	if why != "" {
		t.Fatal(why)
	}
	if n, want := krustyRuns.Load()-runs, int64(len(groups)+1); n != want {
		t.Errorf("%d kustomize runs, want %d: one a part", n, want)
	}
	if len(shared) != 1 || !strings.Contains(sl.describeDoc(shared[0]), "namespace.yaml") {
		t.Errorf("documents every part reads: %v, want the Namespace's", shared)
	}
	sl.plan(shared, groups)
	seen := map[string]bool{}
	for i := range sl.parts {
		d := sl.describe(i)
		if seen[d] {
			t.Errorf("two parts are both %q", d)
		}
		seen[d] = true
	}
}

// TestSplitDocumentsReuse changes one document of a split file: only the
// part that reads it is built again.
func TestSplitDocumentsReuse(t *testing.T) {
	dir := writeTree(t, catalogue(50))
	reuse := &Reuse{}
	opts := Options{Reuse: reuse}
	first, want, why := buildSplit(t, dir, opts)
	if why != "" || first != want {
		t.Fatalf("first build: split %q, same as kustomize: %t", why, first == want)
	}
	p := filepath.Join(dir, "services.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), "  name: svc030\nspec:\n  replicas: 1", "  name: svc030\nspec:\n  replicas: 4", 1)
	if changed == string(data) {
		t.Fatal("the edit changed nothing")
	}
	if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := krustyRuns.Load()
	got, want, why := buildSplit(t, dir, opts)
	if why != "" {
		t.Fatalf("not split after the change: %s", why)
	}
	if got != want || !strings.Contains(got, "replicas: 4") {
		t.Errorf("after one document changed, the build differs from kustomize's:\n%s", lineDiff(want, got))
	}
	if n := krustyRuns.Load() - runs; n != 1 {
		t.Errorf("built %d parts again after one document changed, want 1", n)
	}
}

// TestSplitCatalogue builds the parity corpus's one-file tree with the
// thresholds a user gets: in parts, and the same as one kustomize run.
func TestSplitCatalogue(t *testing.T) {
	root, err := repo.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	got, want, why := buildSplit(t, filepath.Join(root, "testdata", "parity", "fanout", "catalogue"), Options{})
	if why != "" {
		t.Fatalf("not split: %s", why)
	}
	if got != want {
		t.Errorf("split build differs from kustomize's:\n%s", lineDiff(want, got))
	}
}

// TestSplitDocumentsOrigins builds a file in parts as a deploy does,
// recording where each object came from: every object has its file and
// the output is unchanged.
func TestSplitDocumentsOrigins(t *testing.T) {
	dir := writeTree(t, catalogue(50))
	origins := Origins{}
	got, want, why := buildSplit(t, dir, Options{Origins: origins})
	if why != "" {
		t.Fatalf("not split: %s", why)
	}
	if got != want {
		t.Errorf("the build with origins differs from kustomize's:\n%s", lineDiff(want, got))
	}
	origins = Origins{}
	m, err := Build(dir, Options{Origins: origins})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Objects(m)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int{}
	for _, o := range objs {
		d := origins.Of(o)
		if d == nil {
			t.Fatalf("%s %s has no origin", o.GetKind(), o.GetName())
		}
		files[d.Path]++
	}
	if files["services.yaml"] != 150 {
		t.Errorf("objects by file: %v, want 150 from services.yaml", files)
	}
}

func TestCutDocuments(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		why  string
	}{
		{"", nil, ""},
		{"a: 1\n", []string{"a: 1\n"}, ""},
		{"---\na: 1\n---\nb: 2\n", []string{"---\na: 1", "b: 2\n"}, ""},
		{"a: 1\n--- # two\nb: 2", []string{"a: 1", "b: 2"}, ""},
		{"a: 1\r\n---\r\nb: 2\r\n", []string{"a: 1", "b: 2\n"}, ""},
		{"a: 1\n---\n---\nb: 2\n", []string{"a: 1", "---\nb: 2\n"}, ""},
		{"a: 1\n--- b\nc: 2\n", nil, "separator"},
		{"a: |\n  x\r\r\n  y\n", nil, "carriage return"},
	}
	for _, tt := range tests {
		got, why := cutDocuments([]byte(tt.in))
		if (why == "") != (tt.why == "") || !strings.Contains(why, tt.why) || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("cutDocuments(%q) = %q, %q; want %q, %q", tt.in, got, why, tt.want, tt.why)
		}
	}
}

func TestReadDocReadsAsKio(t *testing.T) {
	docs := []string{
		"",
		"# only a comment\n",
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata: {A: \"1\"}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alias}\ndata: {A: &a \"1\", B: *a}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: anchored}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: merged, namespace: ns}\ndata: {A: x}\n",
		"base: &b {name: merged-alias}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: *b\n",
		"apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: one}, data: {A: &x y, B: *x}}\n  - {apiVersion: v1, kind: Secret, metadata: {name: two}}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: [*missing]\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: 3\n",
	}
	for _, text := range docs {
		want, wantErr := kio.FromBytes([]byte(text))
		got, gotErr := readDoc(text)
		if (wantErr == nil) != (gotErr == nil) {
			t.Errorf("readDoc(%q): error %v, kio's %v", text, gotErr, wantErr)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("readDoc(%q): %d objects, kio %d", text, len(got), len(want))
			continue
		}
		for i := range want {
			w, _ := want[i].String()
			g, _ := got[i].String()
			if g != w {
				t.Errorf("readDoc(%q) object %d:\n%s\nkio:\n%s", text, i, g, w)
			}
		}
	}
}
