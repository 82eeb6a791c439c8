package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestInitValidates scaffolds an app, with and without a migration and for
// other environments than the default, and checks that every environment
// builds and passes kship's own validation with no finding at all, and that
// no workload an HPA scales sets replicas.
func TestInitValidates(t *testing.T) {
	tests := []struct {
		name  string
		extra []string
		envs  []string
		files []string
		next  string // the environment the next commands name
	}{
		{name: "defaults", envs: []string{"prod", "stage"}, files: []string{"base/deployment.yaml", "base/hpa.yaml", "base/pdb.yaml", "base/service.yaml", "overlays/prod/kustomization.yaml", ".circleci/config.yml", "kship.yaml"}, next: "stage"},
		{name: "migration", extra: []string{"--migrate", "bin/rails db:migrate && echo done"}, envs: []string{"prod", "stage"}, files: []string{"base/migrate-job.yaml"}, next: "stage"},
		{name: "other environments", extra: []string{"--env", "dev,qa,production"}, envs: []string{"dev", "production", "qa"}, files: []string{"overlays/qa/namespace.yaml"}, next: "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "hello")
			r := run(t, append([]string{"init", dir, "--name", "hello", "--image", "registry.example/team/hello:1.0.0", "--port", "8080"}, tt.extra...)...)
			mustCode(t, r, 0)
			for _, f := range tt.files {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("init wrote no %s: %v", f, err)
				}
			}
			mustContain(t, "stdout", r.stdout, "kship validate --all", "kship diff "+tt.next, "kship deploy "+tt.next)
			v := run(t, "--config", filepath.Join(dir, "kship.yaml"), "validate", "--all", "-o", "json")
			if v.code != 0 {
				t.Fatalf("validate exit %d: %s%s", v.code, v.stdout, v.stderr)
			}
			var doc struct {
				Errors, Warnings int
				Environments     []struct {
					Environment string
					Objects     int
					Findings    []json.RawMessage
				}
			}
			if err := json.Unmarshal([]byte(v.stdout), &doc); err != nil {
				t.Fatal(err)
			}
			var envs []string
			for _, e := range doc.Environments {
				envs = append(envs, e.Environment)
				if len(e.Findings) > 0 || e.Objects < 6 {
					t.Errorf("%s: %d objects, findings %s", e.Environment, e.Objects, e.Findings)
				}
			}
			if strings.Join(envs, ",") != strings.Join(tt.envs, ",") {
				t.Errorf("validated %v, want %v", envs, tt.envs)
			}
			b := run(t, "--config", filepath.Join(dir, "kship.yaml"), "build", tt.envs[0])
			mustCode(t, b, 0)
			if strings.Contains(b.stdout, "replicas: ") && !strings.Contains(b.stdout, "minReplicas") {
				t.Errorf("the build sets replicas on an HPA-scaled workload:\n%s", b.stdout)
			}
			mustContain(t, "build", b.stdout, "image: registry.example/team/hello:1.0.0", "readinessProbe", "livenessProbe", "kind: PodDisruptionBudget")
		})
	}
}

// TestInitRefusesBadInput checks that bad input is refused, naming the
// flag, before anything is written.
func TestInitRefusesBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"name not a DNS label", []string{"--name", "Hello_World", "--image", "r.example/h:1", "--port", "80"}, `--name "Hello_World": want a DNS label`},
		{"no name", []string{"--image", "r.example/h:1", "--port", "80"}, `--name`},
		{"image does not parse", []string{"--name", "h", "--image", "R.example/H:1", "--port", "80"}, `--image "R.example/H:1": not an image reference`},
		{"image not pinned", []string{"--name", "h", "--image", "r.example/h", "--port", "80"}, `pin a tag other than latest`},
		{"latest", []string{"--name", "h", "--image", "r.example/h:latest", "--port", "80"}, `pin a tag other than latest`},
		{"port out of range", []string{"--name", "h", "--image", "r.example/h:1", "--port", "70000"}, `--port 70000: want the port the app listens on, 1 to 65535`},
		{"bad environment", []string{"--name", "h", "--image", "r.example/h:1", "--port", "80", "--env", "Stage"}, `--env "Stage"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "app")
			r := run(t, append([]string{"init", dir}, tt.args...)...)
			mustCode(t, r, 2)
			mustContain(t, "stderr", r.stderr, tt.want)
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("init wrote %s although its input was refused", dir)
			}
		})
	}
}

// TestInitKeepsExistingFiles runs init in a repository that already has
// some of its files: those are listed and left alone, the missing ones are
// added; --force overwrites them.
func TestInitKeepsExistingFiles(t *testing.T) {
	dir := t.TempDir()
	ci := writeFile(t, dir, ".circleci/config.yml", "version: 2.1 # ours\n")
	args := []string{"init", dir, "--name", "hello", "--image", "r.example/hello:1.0.0", "--port", "8080"}
	r := run(t, args...)
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "kept .circleci/config.yml", "--force")
	if b, _ := os.ReadFile(ci); string(b) != "version: 2.1 # ours\n" {
		t.Errorf(".circleci/config.yml was overwritten:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "base/deployment.yaml")); err != nil {
		t.Errorf("the missing files were not added: %v", err)
	}
	again := run(t, args...)
	if again.code != 2 || !strings.Contains(again.stderr, "nothing to add") {
		t.Errorf("a second init: exit %d, stderr %q; want 2 and nothing to add", again.code, again.stderr)
	}
	forced := run(t, append(args, "--force")...)
	mustCode(t, forced, 0)
	mustContain(t, "stdout", forced.stdout, "overwrote .circleci/config.yml")
	if b, _ := os.ReadFile(ci); !strings.Contains(string(b), "kship deploy --branch") {
		t.Errorf("--force did not overwrite .circleci/config.yml:\n%s", b)
	}
}

// kubeconfigAs writes a copy of the test cluster's kubeconfig whose
// context is named name, as `make demo` does for the environment "stage".
func kubeconfigAs(t *testing.T, c *testcluster.Cluster, name string) string {
	t.Helper()
	b, err := os.ReadFile(c.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, t.TempDir(), "kubeconfig", strings.ReplaceAll(string(b), testcluster.ContextName, name))
}

// TestInitDeploys scaffolds an app with a migration and deploys its first
// environment to the local cluster, as the README's "New app" does; then
// reads its logs and runs a command in it.
func TestInitDeploys(t *testing.T) {
	c := testcluster.Require(t)
	name := "hello-" + suffix(t)
	dir := t.TempDir()
	mustCode(t, run(t, "init", dir, "--name", name, "--image", "registry.example/hello:1.0.0", "--port", "8080", "--migrate", "bin/migrate up"), 0)
	ns := name + "-stage"
	t.Cleanup(func() {
		_ = c.Clientset().CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	kc := kubeconfigAs(t, c, "stage")
	cfg := filepath.Join(dir, "kship.yaml")
	r := run(t, "--config", cfg, "deploy", "stage", "--kubeconfig", kc, "--timeout", "90s")
	t.Logf("deploy: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	mustCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Job/"+ns+"/"+name+"-migrate", "Deployment/"+ns+"/"+name, "HorizontalPodAutoscaler/"+ns+"/"+name, "PodDisruptionBudget/"+ns+"/"+name)
	logs := run(t, "--config", cfg, "logs", "stage", name, "--kubeconfig", kc)
	mustCode(t, logs, 0)
	mustContain(t, "stdout", logs.stdout, " "+name+" listening on :8080")
	exec := run(t, "--config", cfg, "exec", "stage", "--kubeconfig", kc, "--", "echo", "hi")
	mustCode(t, exec, 0)
	if exec.stdout != "hi\n" {
		t.Errorf("exec stdout = %q", exec.stdout)
	}
}
