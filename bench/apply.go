package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kship/kship/internal/testcluster"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// applyNamespace is where the apply group works; it is recreated each run.
const applyNamespace = "kship-bench-apply"

// applyGroup times `kship deploy` of N ConfigMaps on the local cluster
// against `kubectl apply --server-side -f` of the same manifests, and against
// a bare concurrent server-side-apply loop (the ceiling for any client).
type applyGroup struct {
	objects  int
	kubectl  string // "" means tools/bin.sh's
	cluster  *testcluster.Cluster
	manifest string // the built objects, for the in-process comparisons
}

func (*applyGroup) Name() string { return "apply" }

// Cases starts (or reuses) the local cluster, writes the tree, the kship.yaml
// and the built manifest, and returns the cases: a first apply and a
// re-apply with nothing changed, each against kubectl and against
// kustomize piped to kubectl; and a first apply against the bare SSA loop,
// alone and after kustomize's build of the tree.
func (g *applyGroup) Cases(ctx context.Context, env *Env) ([]Case, error) {
	c, err := testcluster.Start(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply: the local cluster: %w (run make cluster-up)", err)
	}
	g.cluster = c
	kubectl := g.kubectl
	if kubectl == "" {
		if kubectl, err = toolsBin(ctx, env.Root, "kubectl"); err != nil {
			return nil, fmt.Errorf("apply: %w (or pass -kubectl)", err)
		}
	}
	if err := g.resetNamespace(ctx); err != nil {
		return nil, err
	}
	dir := filepath.Join(env.Tmp, "apply")
	cfg, manifest, err := g.writeTree(ctx, env, dir)
	if err != nil {
		return nil, err
	}
	g.manifest = manifest
	kustomize, err := toolsBin(ctx, env.Root, "kustomize")
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	kship := Command{Name: "kship", Path: env.Kship, Dir: env.Root,
		Args: []string{"--config", cfg, "deploy", "bench", "--kubeconfig", c.Kubeconfig(), "--timeout", "5m"}}
	kubectlApply := Command{Name: "kubectl", Path: kubectl, Dir: env.Root,
		Args: []string{"--kubeconfig", c.Kubeconfig(), "apply", "--server-side", "--field-manager", "kubectl-bench", "--force-conflicts", "-f", manifest}}
	// The pipeline kship replaces: build, then apply.
	pipeline := Command{Name: "kustomize|kubectl", Path: "bash", Dir: env.Root,
		Args: []string{"-c", fmt.Sprintf("set -o pipefail; %q build %q | %q --kubeconfig %q apply --server-side --field-manager kubectl-bench --force-conflicts -f -",
			kustomize, filepath.Join(dir, "app"), kubectl, c.Kubeconfig())}}
	loop := Command{Name: "ssa-loop", Path: env.Self, Dir: env.Root,
		Args: []string{ssaLoopMode, "-kubeconfig", c.Kubeconfig(), "-f", manifest}}
	// The least any tool can do from the tree: kustomize's build of it,
	// then the bare loop on the same objects (the built manifest, which is
	// byte for byte what kustomize prints).
	buildAndLoop := Command{Name: "kustomize+loop", Path: "bash", Dir: env.Root,
		Args: []string{"-c", `set -e; "$1" build "$2" >/dev/null; "$3" "$4" -kubeconfig "$5" -f "$6"`, "build-and-loop",
			kustomize, filepath.Join(dir, "app"), env.Self, ssaLoopMode, c.Kubeconfig(), manifest}}
	detail := fmt.Sprintf("%s ConfigMaps", thousands(g.objects))
	say := func(d string) func(_, _ []byte) (string, error) {
		return func(_, _ []byte) (string, error) { return d, nil }
	}
	return []Case{
		{Group: g.Name(), Name: "create", Subject: kship, Baseline: kubectlApply, Before: g.clear, After: g.check, Check: say(detail)},
		{Group: g.Name(), Name: "create-vs-pipeline", Subject: kship, Baseline: pipeline, Before: g.clear, After: g.check, Check: say(detail + ", built from the tree by both")},
		{Group: g.Name(), Name: "unchanged", Subject: kship, Baseline: kubectlApply, After: g.check, Check: say(detail + ", already applied")},
		{Group: g.Name(), Name: "unchanged-vs-pipeline", Subject: kship, Baseline: pipeline, After: g.check, Check: say(detail + ", already applied, built from the tree by both")},
		{Group: g.Name(), Name: "create-vs-loop", Subject: kship, Baseline: loop, Before: g.clear, After: g.check, Check: say(detail)},
		{Group: g.Name(), Name: "create-vs-build-loop", Subject: kship, Baseline: buildAndLoop, Before: g.clear, After: g.check, Check: say(detail + ", built from the tree by both")},
	}, nil
}

// writeTree writes a kustomization of g.objects ConfigMaps, a kship.yaml for
// it, and its build for kubectl, and returns the last two paths.
func (g *applyGroup) writeTree(ctx context.Context, env *Env, dir string) (cfg, manifest string, err error) {
	if err := writeConfigMaps(filepath.Join(dir, "app"), g.objects); err != nil {
		return "", "", err
	}
	cfg = fmt.Sprintf("environments:\n  bench:\n    overlay: app\n    context: %s\n    namespace: %s\n",
		g.cluster.Context(), applyNamespace)
	if err := os.WriteFile(filepath.Join(dir, "kship.yaml"), []byte(cfg), 0o644); err != nil {
		return "", "", err
	}
	out, err := exec.CommandContext(ctx, env.Kship, "build", filepath.Join(dir, "app")).Output()
	if err != nil {
		return "", "", fmt.Errorf("apply: kship build: %w", err)
	}
	manifest = filepath.Join(dir, "manifest.yaml")
	return filepath.Join(dir, "kship.yaml"), manifest, os.WriteFile(manifest, out, 0o644)
}

// writeConfigMaps writes to dir a kustomization of n ConfigMaps in one
// file, in the apply group's namespace.
func writeConfigMaps(dir string, n int) error {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%04d\n  labels: {bench: apply}\ndata:\n  index: %q\n  payload: %q\n",
			i, fmt.Sprint(i), strings.Repeat("x", 256))
	}
	files := map[string]string{
		"configmaps.yaml":    b.String(),
		"kustomization.yaml": "namespace: " + applyNamespace + "\nresources: [configmaps.yaml]\n",
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (g *applyGroup) clientset() kubernetes.Interface { return g.cluster.Clientset() }

// resetNamespace recreates the group's namespace, empty.
func (g *applyGroup) resetNamespace(ctx context.Context) error {
	nss := g.clientset().CoreV1().Namespaces()
	if err := nss.Delete(ctx, applyNamespace, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	for {
		_, err := nss.Get(ctx, applyNamespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	_, err := nss.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: applyNamespace}}, metav1.CreateOptions{})
	return err
}

// clear deletes the ConfigMaps, so the next run creates them.
func (g *applyGroup) clear(ctx context.Context) error {
	cms := g.clientset().CoreV1().ConfigMaps(applyNamespace)
	if err := cms.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "bench=apply"}); err != nil {
		return fmt.Errorf("apply: clearing ConfigMaps: %w", err)
	}
	return nil
}

// check verifies after a run that every ConfigMap is in the cluster.
func (g *applyGroup) check(ctx context.Context) error {
	list, err := g.clientset().CoreV1().ConfigMaps(applyNamespace).List(ctx, metav1.ListOptions{LabelSelector: "bench=apply"})
	if err != nil {
		return err
	}
	if len(list.Items) != g.objects {
		return fmt.Errorf("%d ConfigMaps in the cluster, want %d", len(list.Items), g.objects)
	}
	return nil
}

// toolsBin returns the path of a binary tools/bin.sh builds.
func toolsBin(ctx context.Context, root, name string) (string, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "tools", "bin.sh"))
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("tools/bin.sh: %w", err)
	}
	return filepath.Join(strings.TrimSpace(out.String()), name), nil
}
