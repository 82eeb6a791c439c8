package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// extra adds a ConfigMap "extra" to the test tree.
func addExtra(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, dir, "app/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, labels: {app: api}}\ndata: {k: v}\n")
	k := filepath.Join(dir, "app/kustomization.yaml")
	b, err := os.ReadFile(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k, []byte(strings.Replace(string(b), "resources: [", "resources: [extra.yaml, ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func configMapExists(t *testing.T, c *testcluster.Cluster, ns, name string) bool {
	t.Helper()
	_, err := c.Clientset().CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func TestPruneAfterRolloutKeepsUnmanaged(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	a := app{NoJob: true}
	cfg := a.write(t, dir, c.Context(), ns)
	addExtra(t, dir)
	mustCode(t, deployEnv(t, c, cfg), 0)
	// An object kship does not manage, with the app's labels.
	unmanaged := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "hand-made", Namespace: ns, Labels: map[string]string{"app": "api"}}}
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(context.Background(), unmanaged, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	a.write(t, dir, c.Context(), ns) // the same tree without extra.yaml
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "pruned: ConfigMap/"+ns+"/extra")
	if configMapExists(t, c, ns, "extra") {
		t.Error("ConfigMap extra left the build but was not pruned")
	}
	if !configMapExists(t, c, ns, "hand-made") {
		t.Error("an unmanaged ConfigMap was pruned")
	}
	// The prune came after the rollout was ready.
	if strings.Index(r.stderr, "pruned") < strings.Index(r.stderr, "phase workloads: done") {
		t.Error("pruned before the workloads were ready")
	}
}

func TestMassPruneGuard(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{NoJob: true}.write(t, dir, c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	// A tree with only an unrelated ConfigMap would prune everything else.
	writeFile(t, dir, "app/kustomization.yaml", "namespace: "+ns+"\nresources: [other.yaml]\n")
	writeFile(t, dir, "app/other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n")
	before := versions(t, c, ns)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 3)
	mustContain(t, "stderr", r.stderr, "would prune", "--allow-mass-prune", "nothing was changed")
	if !deploymentExists(t, c, ns) || configMapExists(t, c, ns, "other") || len(versions(t, c, ns)) != len(before) {
		t.Error("the refused deploy changed the cluster")
	}
	mustCode(t, deployEnv(t, c, cfg, "--allow-mass-prune"), 0)
	if deploymentExists(t, c, ns) {
		t.Error("--allow-mass-prune did not prune")
	}
}

func TestHashedConfigMapKeptForRolloutUndo(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	ctx := context.Background()
	cs := c.Clientset()
	mustCode(t, deployEnv(t, c, app{NoJob: true, Env: "one"}.write(t, dir, c.Context(), ns)), 0)
	first := hashedConfigMaps(t, c, ns)
	mustCode(t, deployEnv(t, c, app{NoJob: true, Env: "two"}.write(t, dir, c.Context(), ns)), 0)
	r := deployEnv(t, c, app{NoJob: true, Env: "three"}.write(t, dir, c.Context(), ns))
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "kept: ConfigMap/"+ns+"/"+first[0], "rollout undo")
	if got := hashedConfigMaps(t, c, ns); len(got) != 3 {
		t.Fatalf("hashed ConfigMaps = %v, want all three: the old ones are used by retained ReplicaSets", got)
	}

	// kubectl rollout undo: put revision 1's template back. With the
	// retained ConfigMap pruned, its pods could not start.
	rsets, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, rs := range rsets.Items {
			if rs.Annotations["deployment.kubernetes.io/revision"] == "1" {
				d.Spec.Template = rs.Spec.Template
				delete(d.Spec.Template.Labels, "pod-template-hash")
			}
		}
		_, err = cs.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	waitDeploymentReady(t, c, ns, "api")
}

func hashedConfigMaps(t *testing.T, c *testcluster.Cluster, ns string) []string {
	t.Helper()
	list, err := c.Clientset().CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, cm := range list.Items {
		if strings.HasPrefix(cm.Name, "api-config-") {
			out = append(out, cm.Name)
		}
	}
	return out
}

func waitDeploymentReady(t *testing.T, c *testcluster.Cluster, ns, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == *d.Spec.Replicas && d.Status.AvailableReplicas == *d.Spec.Replicas && d.Status.Replicas == *d.Spec.Replicas {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("Deployment %s/%s did not roll out", ns, name)
}

func TestRollbackOnFailureRestoresImages(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{NoJob: true, Tag: "v1"}.write(t, dir, c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)

	r := deployEnv(t, c, cfg, "--image", "api=registry.invalid/api:broken", "--rollback-on-failure")
	mustCode(t, r, 5)
	mustContain(t, "stderr", r.stderr, "registry.invalid/api:broken", "rolled back to revision 1")
	if !containsAny(r.stdout+r.stderr, []string{"ImagePullBackOff", "ErrImagePull"}) {
		t.Error("the failure's cause is not named")
	}
	d, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "registry.example/api:v1" {
		t.Errorf("image after rollback = %q, want registry.example/api:v1", img)
	}
	waitDeploymentReady(t, c, ns, "api")

	// kship status reports the history.
	s := run(t, "--config", cfg, "status", "test", "--kubeconfig", c.Kubeconfig())
	mustCode(t, s, 0)
	mustContain(t, "status", s.stdout, "last deploy: revision 3, rolled-back", "Deployment/"+ns+"/api", "Current", "lock: free")
}

func TestConcurrentDeploysSerialise(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	// The migration takes a while, so the second deploy finds the lock held.
	cfg := app{JobAnnots: map[string]string{"kwok.kship.dev/complete-after": "2s"}}.write(t, t.TempDir(), c.Context(), ns)
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 1 {
				time.Sleep(700 * time.Millisecond)
			}
			results[i] = deployEnv(t, c, cfg, "--lock-holder", []string{"first", "second"}[i])
		}()
	}
	wg.Wait()
	mustCode(t, results[0], 0)
	mustCode(t, results[1], 0)
	mustContain(t, "second deploy", results[1].stderr, "waiting for the deploy lock, held by first")

	// With the lock released, a short lock timeout does not get in the way
	// (TestDeployLockTimeout has the lock held).
	held := run(t, "--config", cfg, "deploy", "test", "--kubeconfig", c.Kubeconfig(), "--lock-timeout", "1s", "--lock-holder", "third")
	mustCode(t, held, 0) // nobody holds it now
	if _, err := c.Clientset().CoordinationV1().Leases(ns).Get(context.Background(), "kship-lock-test", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the lock was not released: %v", err)
	}
}

func TestKilledDeployConverges(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	bin := kshipBinary(t)
	a := app{JobAnnots: map[string]string{"kwok.kship.dev/complete-after": "30s"}}
	cfg := a.write(t, dir, c.Context(), ns)
	addExtra(t, dir)
	cmd := exec.Command(bin, "--config", cfg, "deploy", "test", "--kubeconfig", c.Kubeconfig(), "--timeout", "60s", "--lock-ttl", "3s")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it while it waits for the migration: the config phase is applied.
	deadline := time.Now().Add(20 * time.Second)
	for !configMapExists(t, c, ns, "extra") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	t.Logf("killed deploy's stderr:\n%s", stderr.String())
	if !configMapExists(t, c, ns, "extra") {
		t.Fatal("the killed deploy never applied ConfigMap extra")
	}

	// A new deploy without extra.yaml and with a quick migration converges;
	// the lock of the killed deploy expires and extra is pruned.
	a.JobAnnots = nil
	a.write(t, dir, c.Context(), ns)
	r := deployEnv(t, c, cfg, "--lock-timeout", "60s")
	mustCode(t, r, 0)
	if configMapExists(t, c, ns, "extra") {
		t.Error("ConfigMap extra, applied by the killed deploy, was orphaned")
	}
}

func TestApplySetReadable(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{NoJob: true}.write(t, t.TempDir(), c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	ctx := context.Background()
	parent, err := c.Clientset().CoreV1().Secrets(ns).Get(ctx, "kship-test", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := parent.Labels[inventory.LabelID]
	if id != inventory.ID("kship-test", ns) {
		t.Fatalf("parent id label = %q", id)
	}
	if got := parent.Annotations[inventory.AnnotationGKs]; got != "ConfigMap,Deployment.apps,Service" {
		t.Errorf("contains-group-kinds = %q", got)
	}
	if !strings.HasPrefix(parent.Annotations[inventory.AnnotationTooling], "kship/") {
		t.Errorf("tooling = %q", parent.Annotations[inventory.AnnotationTooling])
	}
	sel := inventory.LabelPartOf + "=" + id
	d, err := c.Clientset().AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil || len(d.Items) != 1 {
		t.Errorf("Deployments labelled part-of the set: %v, %v", d, err)
	}
	if kubectl := os.Getenv("KSHIP_KUBECTL"); kubectl != "" {
		out, err := exec.Command(kubectl, "--kubeconfig", c.Kubeconfig(), "get", "deploy,svc,cm", "-n", ns, "-l", sel, "-o", "name").CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl: %v\n%s", err, out)
		}
		mustContain(t, "kubectl get -l "+sel, string(out), "deployment.apps/api", "service/api", "configmap/api-config-")
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// kshipBinary builds cmd/kship once per test run, for tests that signal it.
func kshipBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kship-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "kship")
		if out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/kship").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestSignalStopsTheWaitCleanly(t *testing.T) {
	c := testcluster.Require(t)
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		ns := c.Namespace(t)
		cfg := app{JobAnnots: map[string]string{"kwok.kship.dev/complete-after": "60s"}}.write(t, t.TempDir(), c.Context(), ns)
		cmd := exec.Command(kshipBinary(t), "--config", cfg, "deploy", "test", "--kubeconfig", c.Kubeconfig(), "--timeout", "90s")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(stderr.String(), "Job/"+ns+"/migrate created") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		sent := time.Now()
		_ = cmd.Process.Signal(tt.sig)
		_ = cmd.Wait()
		t.Logf("%v: stdout:\n%s\nstderr:\n%s", tt.sig, stdout.String(), stderr.String())
		if got := cmd.ProcessState.ExitCode(); got != tt.code {
			t.Errorf("%v: exit code %d, want %d\n%s", tt.sig, got, tt.code, stderr.String())
		}
		if took := time.Since(sent); took > 10*time.Second {
			t.Errorf("%v: took %s to stop", tt.sig, took)
		}
		mustContain(t, "stderr", stderr.String(), "interrupted", "Job/"+ns+"/migrate")
		mustContain(t, "stdout", stdout.String(), "Deployment/"+ns+"/api", "not applied")
		if info, err := lock.Current(context.Background(), kubeClient(t, c), ns, "test"); err != nil || info != nil {
			t.Errorf("%v: the deploy lock was not released: %+v %v", tt.sig, info, err)
		}
	}
}

func kubeClient(t *testing.T, c *testcluster.Cluster) *kube.Client {
	t.Helper()
	k, err := kube.New(kube.Options{Kubeconfig: c.Kubeconfig(), Context: c.Context()})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestNamespaceInUseIsNeverPruned(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	a := app{NoJob: true}
	cfg := a.write(t, dir, c.Context(), ns)
	// First the overlay creates its namespace object too...
	writeFile(t, dir, "app/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n")
	k := filepath.Join(dir, "app/kustomization.yaml")
	b, err := os.ReadFile(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k, []byte(strings.Replace(string(b), "resources: [", "resources: [namespace.yaml, ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCode(t, deployEnv(t, c, cfg), 0)
	// ...then it no longer does: the namespace holds the app, so it stays.
	a.write(t, dir, c.Context(), ns)
	r := deployEnv(t, c, cfg)
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "kept: Namespace/"+ns)
	if !deploymentExists(t, c, ns) {
		t.Fatal("the app is gone: its namespace was pruned")
	}
}

func TestRollbackAfterTimeout(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{NoJob: true}.write(t, dir, c.Context(), ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	// Pods that never get ready end in the timeout, the commonest failure.
	app{NoJob: true, Tag: "v2", PodAnnots: map[string]string{"kwok.kship.dev/never-ready": "true"}}.write(t, dir, c.Context(), ns)
	r := deployEnv(t, c, cfg, "--timeout", "4s", "--rollback-on-failure")
	mustCode(t, r, 5)
	mustContain(t, "stderr", r.stderr, "timed out", "rolled back to revision 1")
	d, err := c.Clientset().AppsV1().Deployments(ns).Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "registry.example/api:v1" {
		t.Errorf("image after rollback = %q", img)
	}
}

func TestSecretValueNeverInApplyErrors(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{NoJob: true}.write(t, dir, c.Context(), ns)
	writeFile(t, dir, "app/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: pin}\nstringData:\n  PIN: 987654\n")
	k := filepath.Join(dir, "app/kustomization.yaml")
	b, err := os.ReadFile(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k, []byte(strings.Replace(string(b), "resources: [", "resources: [secret.yaml, ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"deploy", "test", "--validate=false", "--dry-run", "-o", "json"},
		{"deploy", "test", "--validate=false"},
		{"diff", "test", "-o", "json"},
	} {
		r := run(t, append([]string{"--config", cfg}, append(args, "--kubeconfig", c.Kubeconfig())...)...)
		if r.code == 0 {
			t.Errorf("%v: exit 0, want a failure", args)
		}
		if strings.Contains(r.stdout+r.stderr, "987654") {
			t.Errorf("%v: the Secret's value was printed:\n%s\n%s", args, r.stdout, r.stderr)
		}
	}
}
