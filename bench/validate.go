package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// KubeconformVersion is the kubeconform release the validate group
// installs when -kubeconform and $KSHIP_KUBECONFORM name none.
const KubeconformVersion = "v0.8.0"

// kubeconformEnv names the environment variable that points at a
// kubeconform binary to use instead.
const kubeconformEnv = "KSHIP_KUBECONFORM"

// validateGroup times `kship validate -f FILE` against
// `kubeconform -strict FILE` on the same built manifests (the build
// group's trees, built once by kship, untimed). kubeconform cannot download
// schemas here, so it gets kship's own: the shipped OpenAPI dump converted
// to standalone-strict JSON schemas by tools/cmd/openapi-dump -kubeconform,
// and for custom resources their CRDs' schemas, converted as
// openapi2jsonschema does (crdSchemas). kubeconform does not evaluate the
// CRDs' CEL rules, which kship does.
// Both must find the same number of objects and no errors. objects/second
// is the DETAIL's object count over each tool's median WALL time.
type validateGroup struct {
	trees       []string // names from buildTrees
	kubeconform string   // the binary; "" means $KSHIP_KUBECONFORM or installed
	version     string   // Kubernetes version of the schemas, "1.37"
}

func (*validateGroup) Name() string { return "validate" }

// Cases installs kubeconform if needed, converts the schemas, and builds
// each tree into a manifest file.
func (g *validateGroup) Cases(ctx context.Context, env *Env) ([]Case, error) {
	if len(g.trees) == 0 {
		return nil, errors.New("validate: no trees selected")
	}
	version := g.version
	if version == "" {
		version = "1.37"
	}
	kc, err := g.findKubeconform(ctx)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	schemas := filepath.Join(env.Tmp, "kubeconform-schemas")
	dump := filepath.Join(env.Root, "pkg", "validate", "schemas", "v"+version)
	if err := goRun(ctx, filepath.Join(env.Root, "tools"), "./cmd/openapi-dump", "-kubeconform", schemas, "-from", dump); err != nil {
		return nil, fmt.Errorf("validate: converting the schemas for kubeconform: %w", err)
	}
	var cases []Case
	for _, name := range g.trees {
		i := slices.IndexFunc(buildTrees, func(t buildTree) bool { return t.name == name })
		if i < 0 {
			return nil, fmt.Errorf("validate: %w", unknownName("tree", name, buildTreeNames()))
		}
		dir, err := buildTrees[i].make(env, filepath.Join(env.Tmp, "validate-trees", name))
		if err != nil {
			return nil, fmt.Errorf("validate: generating %s: %w", name, err)
		}
		file := filepath.Join(env.Tmp, "validate-"+name+".yaml")
		if err := kshipBuild(ctx, env, dir, file); err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		if err := crdSchemas(file, schemas); err != nil {
			return nil, fmt.Errorf("validate: %s: %w", name, err)
		}
		if err := keepSchemaKinds(file, schemas); err != nil {
			return nil, fmt.Errorf("validate: %s: %w", name, err)
		}
		cases = append(cases, Case{
			Group:   g.Name(),
			Name:    name,
			Subject: Command{Name: "kship", Path: env.Kship, Args: []string{"validate", "--kubernetes-version", version, "-f", file}, Dir: env.Root},
			Baseline: Command{Name: "kubeconform", Path: kc, Dir: env.Root, Args: []string{
				"-strict", "-summary", "-schema-location", filepath.Join(schemas, "{{ .ResourceKind }}{{ .KindSuffix }}.json"), file,
			}},
			Check: sameCount,
		})
	}
	return cases, nil
}

// findKubeconform returns -kubeconform, $KSHIP_KUBECONFORM, or the pinned
// release under the user cache, installed with go install if missing.
func (g *validateGroup) findKubeconform(ctx context.Context) (string, error) {
	for _, p := range []string{g.kubeconform, os.Getenv(kubeconformEnv)} {
		if p != "" {
			return exec.LookPath(p)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "kship", "kubeconform-"+KubeconformVersion, "bin")
	path := filepath.Join(bin, "kubeconform")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	cmd := exec.CommandContext(ctx, "go", "install", "github.com/yannh/kubeconform/cmd/kubeconform@"+KubeconformVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install kubeconform@%s: %w\n%s (or set $%s)", KubeconformVersion, err, lastLines(string(out), 10), kubeconformEnv)
	}
	return path, nil
}

// goRun runs `go run PKG ARGS...` in dir, a module of its own.
func goRun(ctx context.Context, dir, pkg string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", append([]string{"run", pkg}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, lastLines(string(out), 10))
	}
	return nil
}

// kshipBuild writes `kship build DIR` to file.
func kshipBuild(ctx context.Context, env *Env, dir, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, env.Kship, "build", dir)
	cmd.Dir = env.Root
	cmd.Stdout = f
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kship build %s: %w\n%s", dir, err, lastLines(stderr.String(), 10))
	}
	return f.Close()
}

var (
	topKind       = regexp.MustCompile(`(?m)^kind: (\S+)$`)
	topAPIVersion = regexp.MustCompile(`(?m)^apiVersion: (\S+)$`)
)

// crdSchemas writes, for each version of each CRD in the built file, the
// JSON schema kubeconform reads for its custom resources: the version's
// openAPIV3Schema, with apiVersion, kind and metadata allowed at the top
// and, as -strict wants, no field the schema does not name wherever it
// names some and does not preserve unknown fields.
func crdSchemas(file, schemas string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	for _, d := range strings.Split(string(b), "\n---\n") {
		if k := topKind.FindStringSubmatch(d); k == nil || k[1] != "CustomResourceDefinition" {
			continue
		}
		var crd struct {
			Spec struct {
				Group    string                `json:"group"`
				Names    struct{ Kind string } `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(d), &crd); err != nil {
			return fmt.Errorf("reading a CRD (%.80s...): %w", d, err)
		}
		for _, v := range crd.Spec.Versions {
			s := v.Schema.OpenAPIV3Schema
			if s == nil {
				continue
			}
			strict(s)
			props, _ := s["properties"].(map[string]any)
			if props == nil {
				props = map[string]any{}
				s["properties"] = props
			}
			props["apiVersion"] = map[string]any{"type": "string"}
			props["kind"] = map[string]any{"type": "string"}
			props["metadata"] = map[string]any{"type": "object"}
			out, err := json.Marshal(s)
			if err != nil {
				return err
			}
			name := strings.ToLower(crd.Spec.Names.Kind) + kubeconformSuffix(crd.Spec.Group+"/"+v.Name) + ".json"
			if err := os.WriteFile(filepath.Join(schemas, name), out, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// strict forbids fields s does not name, in s and every schema within it,
// where s names fields and does not preserve unknown ones.
func strict(s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	if props != nil && s["x-kubernetes-preserve-unknown-fields"] != true {
		if _, set := s["additionalProperties"]; !set {
			s["additionalProperties"] = false
		}
	}
	for _, p := range props {
		if m, ok := p.(map[string]any); ok {
			strict(m)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		strict(items)
	}
	if add, ok := s["additionalProperties"].(map[string]any); ok {
		strict(add)
	}
}

// keepSchemaKinds rewrites a `kship build` output file without the objects
// kubeconform has no schema for (custom resources; the "bytes" tree has
// some), so that both tools check the same objects.
func keepSchemaKinds(file, schemas string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	docs := strings.Split(string(b), "\n---\n")
	kept := docs[:0]
	for _, d := range docs {
		k, av := topKind.FindStringSubmatch(d), topAPIVersion.FindStringSubmatch(d)
		if k == nil || av == nil {
			return fmt.Errorf("a document without a top-level kind and apiVersion:\n%.200s", d)
		}
		if _, err := os.Stat(filepath.Join(schemas, strings.ToLower(k[1])+kubeconformSuffix(av[1])+".json")); err == nil {
			kept = append(kept, d)
		}
	}
	if len(kept) == 0 {
		return errors.New("no object has a built-in kind")
	}
	out := strings.Join(kept, "\n---\n")
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return os.WriteFile(file, []byte(out), 0o644)
}

// kubeconformSuffix is kubeconform's KindSuffix: "-v1", "-apps-v1",
// "-networking-v1".
func kubeconformSuffix(apiVersion string) string {
	group, version, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return "-" + strings.ToLower(group)
	}
	first, _, _ := strings.Cut(group, ".")
	return "-" + strings.ToLower(first) + "-" + strings.ToLower(version)
}

var (
	kshipCount = regexp.MustCompile(`validated 1 environment, (\d+) objects? against Kubernetes \S+: (\d+) errors?|validated 1 environment, (\d+) objects? against Kubernetes \S+: ok`)
	kcCount    = regexp.MustCompile(`Summary: (\d+) resources? found in \d+ files? - Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)`)
)

// sameCount requires both tools to have validated the same number of
// objects, kubeconform all of them valid and none skipped, and kship to
// have found no errors; it returns the object count.
func sameCount(kship, kubeconform []byte) (string, error) {
	km := kshipCount.FindSubmatch(kship)
	if km == nil {
		return "", fmt.Errorf("kship printed no summary line:\n%s", lastLines(string(kship), 5))
	}
	n := string(km[1]) + string(km[3])
	if len(km[2]) > 0 && string(km[2]) != "0" {
		return "", fmt.Errorf("kship found %s errors:\n%s", km[2], lastLines(string(kship), 10))
	}
	cm := kcCount.FindSubmatch(kubeconform)
	if cm == nil {
		return "", fmt.Errorf("kubeconform printed no summary:\n%s", lastLines(string(kubeconform), 5))
	}
	if string(cm[1]) != n || string(cm[2]) != n {
		return "", fmt.Errorf("kship validated %s objects, kubeconform %s (%s valid, %s invalid, %s errors, %s skipped):\n%s",
			n, cm[1], cm[2], cm[3], cm[4], cm[5], lastLines(string(kubeconform), 10))
	}
	count, _ := strconv.Atoi(n)
	return fmt.Sprintf("%s objects", thousands(count)), nil
}
