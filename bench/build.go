package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/kship/kship/internal/kustomizecli"
	"github.com/kship/kship/internal/treegen"
)

// buildTree is a tree the build group can time. make writes the tree to
// dir, or ignores dir for a tree that exists, and returns what to build.
type buildTree struct {
	name string
	make func(env *Env, dir string) (string, error)
	// services is the generated services' count, for the build-time
	// exponent; once marks a tree too slow to build more than once a side.
	services int
	once     bool
}

// objects is how many objects a services tree builds; 0 for the others.
func (t buildTree) objects() int {
	if t.services == 0 {
		return 0
	}
	return treegen.ServicesObjects(t.services)
}

// servicesTree is a generated overlay over n services (treegen.Services).
func servicesTree(n int, once bool) buildTree {
	return buildTree{name: fmt.Sprintf("%dsvc", n), services: n, once: once, make: func(_ *Env, dir string) (string, error) {
		return dir, treegen.Services(dir, n)
	}}
}

// buildTrees are the trees the build group knows, in table order.
var buildTrees = []buildTree{
	{name: "small", make: func(env *Env, _ string) (string, error) {
		return filepath.Join(env.Root, "overlays", "prod"), nil
	}},
	servicesTree(100, false),
	servicesTree(300, false),
	servicesTree(1000, true),
	{name: "bytes", make: func(_ *Env, dir string) (string, error) {
		return dir, treegen.Bytes(dir, 10)
	}},
	{name: "crds", make: func(_ *Env, dir string) (string, error) {
		return dir, treegen.CRDs(dir, crdsTreeCRDs, crdsTreeEach)
	}},
	{name: "flat", make: func(_ *Env, dir string) (string, error) {
		return dir, writeConfigMaps(dir, flatTreeObjects)
	}},
}

// flatTreeObjects is how many ConfigMaps the flat tree lists in one file:
// the apply group's tree.
const flatTreeObjects = 1000

// The CRD-heavy tree: 10 large CRDs with 10 custom resources each.
const crdsTreeCRDs, crdsTreeEach = 10, 10

// buildTreeNames lists the names buildTrees knows.
func buildTreeNames() []string {
	names := make([]string, len(buildTrees))
	for i, t := range buildTrees {
		names[i] = t.name
	}
	return names
}

// buildGroup times `kship build DIR` against `kustomize build DIR`, and
// requires byte-identical output.
type buildGroup struct {
	trees     []string // names from buildTrees
	kustomize string   // the CLI; "" means kustomizecli.Path()
}

func (*buildGroup) Name() string { return "build" }

// Cases generates the requested trees into env.Tmp and checks that kship and
// the CLI link the same kustomize/api, without which parity is not
// promised.
func (g *buildGroup) Cases(ctx context.Context, env *Env) ([]Case, error) {
	if len(g.trees) == 0 {
		return nil, errors.New("build: no trees selected")
	}
	var trees []buildTree
	for _, name := range g.trees {
		i := slices.IndexFunc(buildTrees, func(t buildTree) bool { return t.name == name })
		if i < 0 {
			return nil, fmt.Errorf("build: %w", unknownName("tree", name, buildTreeNames()))
		}
		trees = append(trees, buildTrees[i])
	}
	cli := g.kustomize
	if cli == "" {
		p, err := kustomizecli.Path()
		if err != nil {
			return nil, fmt.Errorf("build: %w (or pass -kustomize)", err)
		}
		cli = p
	}
	if err := sameAPI(env.Kship, cli); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	var cases []Case
	for _, t := range trees {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dir, err := t.make(env, filepath.Join(env.Tmp, "trees", t.name))
		if err != nil {
			return nil, fmt.Errorf("build: generating %s: %w", t.name, err)
		}
		cases = append(cases, Case{
			Group:    g.Name(),
			Name:     t.name,
			Subject:  Command{Name: "kship", Path: env.Kship, Args: []string{"build", dir}, Dir: env.Root},
			Baseline: Command{Name: "kustomize", Path: cli, Args: []string{"build", dir}, Dir: env.Root, Env: kustomizecli.Environ()},
			Check:    sameBuild,
			Once:     t.once,
			Objects:  t.objects(),
		})
	}
	return cases, nil
}

// sameAPI fails unless both binaries link the same kustomize/api version.
func sameAPI(kship, cli string) error {
	want, err := kustomizecli.APIVersion(kship)
	if err != nil {
		return err
	}
	got, err := kustomizecli.APIVersion(cli)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%s links %s %s, kship %s: use the kustomize release built on kship's version", cli, kustomizecli.APIModule, got, want)
	}
	return nil
}

// sameBuild requires byte-identical output and describes it.
func sameBuild(kship, kustomize []byte) (string, error) {
	if d := kustomizecli.Diff(kustomize, kship); d != "" {
		return "", fmt.Errorf("outputs differ (-kustomize +kship):\n%s", d)
	}
	return fmt.Sprintf("%s objects, %s", thousands(countObjects(kship)), fmtBytes(int64(len(kship)))), nil
}

// countObjects counts the documents in `kustomize build` output.
func countObjects(out []byte) int {
	if len(out) == 0 {
		return 0
	}
	return bytes.Count(out, []byte("\n---\n")) + 1
}

// thousands renders n with comma separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
