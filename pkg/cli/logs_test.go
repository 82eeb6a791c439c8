package cli

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// talkerApp writes an environment "test" in dir: a Deployment "web" of two
// pods with containers "api" and "talker" (kwok serves each its own canned
// log), and a pre-deploy Job "migrate".
func talkerApp(t *testing.T, dir, ns, env string) string {
	t.Helper()
	writeFile(t, dir, "app/kustomization.yaml", fmt.Sprintf(`namespace: %s
resources: [web.yaml, job.yaml]
configMapGenerator:
- name: web-config
  literals: [ENV=%s]
`, ns, env))
	writeFile(t, dir, "app/web.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: api, image: registry.example/api:v1, envFrom: [{configMapRef: {name: web-config}}]}
      - {name: talker, image: registry.example/talker:v1}
`)
	writeFile(t, dir, "app/job.yaml", `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {kship.dev/phase: pre-deploy}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: migrate, image: registry.example/api:v1}
`)
	return writeFile(t, dir, "kship.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: %s\n    namespace: %s\n", testcluster.ContextName, ns))
}

// podNames lists the pods of ns whose name starts with prefix.
func podNames(t *testing.T, c *testcluster.Cluster, ns, prefix string) []string {
	t.Helper()
	pods, err := c.Clientset().CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pods.Items {
		if strings.HasPrefix(p.Name, prefix) && p.DeletionTimestamp == nil {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

func logsOf(t *testing.T, c *testcluster.Cluster, cfg string, extra ...string) result {
	t.Helper()
	args := append([]string{"--config", cfg, "logs", "test", "--kubeconfig", c.Kubeconfig()}, extra...)
	r := run(t, args...)
	t.Logf("kship %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// TestLogs reads the logs of an environment's pods, as kwok serves them
// from files per container: every line prefixed with its pod and container,
// of all workloads or one, one container, the last lines, the previous
// instance's; and the errors: an unknown workload (naming those there
// are), an unknown container, the wrong context.
func TestLogs(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := talkerApp(t, dir, ns, "one")
	mustCode(t, deployEnv(t, c, cfg), 0)
	web := podNames(t, c, ns, "web-")
	if len(web) != 2 {
		t.Fatalf("pods of web: %v", web)
	}

	all := logsOf(t, c, cfg)
	mustCode(t, all, 0)
	for _, p := range web {
		mustContain(t, "stdout", all.stdout, "pod/"+p+" api starting server", "pod/"+p+" talker talker: hello from the talker container", "pod/"+p+" talker talker: last line")
	}
	mustContain(t, "stdout", all.stdout, " migrate starting server")
	if strings.Contains(all.stdout, "\x1b[") {
		t.Error("colour in logs that do not go to a terminal")
	}
	// At a terminal each pod's prefix has a colour of its own.
	t.Setenv("NO_COLOR", "")
	tty := runAtTerminal(t, "--config", cfg, "logs", "test", "web", "-c", "api", "--tail", "1", "--kubeconfig", c.Kubeconfig())
	mustCode(t, tty, 0)
	colours := map[string]bool{}
	for _, p := range web {
		m := regexp.MustCompile(`\x1b\[(\d+)mpod/` + regexp.QuoteMeta(p) + ` api \x1b\[0m`).FindStringSubmatch(tty.stdout)
		if m == nil {
			t.Errorf("at a terminal, pod/%s's prefix is not coloured:\n%q", p, tty.stdout)
			continue
		}
		colours[m[1]] = true
	}
	if len(colours) != len(web) {
		t.Errorf("at a terminal, the pods share a colour:\n%q", tty.stdout)
	}

	talker := logsOf(t, c, cfg, "web", "-c", "talker", "--tail", "1")
	mustCode(t, talker, 0)
	want := ""
	for _, p := range web {
		want += "pod/" + p + " talker talker: last line\n"
	}
	if talker.stdout != want {
		t.Errorf("web -c talker --tail 1:\n%s\nwant:\n%s", talker.stdout, want)
	}

	prev := logsOf(t, c, cfg, "deployment/web", "-c", "api", "--previous")
	mustCode(t, prev, 0)
	mustContain(t, "stdout", prev.stdout, "pod/"+web[0]+" api fatal: exiting (the previous instance of this container crashed)")

	since := logsOf(t, c, cfg, "web", "--since", "10m")
	mustCode(t, since, 0)
	if since.stdout != "" {
		t.Errorf("--since 10m printed lines older than that:\n%s", since.stdout)
	}

	unknown := logsOf(t, c, cfg, "wbe")
	mustCode(t, unknown, 2)
	mustContain(t, "stderr", unknown.stderr, `no workload "wbe" in test`, "Deployment/web, Job/migrate")

	noContainer := logsOf(t, c, cfg, "web", "-c", "sidecar")
	mustCode(t, noContainer, 2)
	mustContain(t, "stderr", noContainer.stderr, "-c sidecar", "api", "talker")

	other := writeFile(t, dir, "other.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: elsewhere\n    namespace: %s\n", ns))
	wrong := logsOf(t, c, other)
	mustCode(t, wrong, 4)
	mustContain(t, "stderr", wrong.stderr, `kube context "elsewhere"`)
	if wrong.stdout != "" {
		t.Errorf("the wrong context printed logs:\n%s", wrong.stdout)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsFollowsARollout follows a workload's logs while a deploy rolls
// it: the new pods' lines appear too, and the old pods going away is said.
func TestLogsFollowsARollout(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := talkerApp(t, dir, ns, "one")
	mustCode(t, deployEnv(t, c, cfg), 0)
	old := podNames(t, c, ns, "web-")

	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"kship", "--config", cfg, "logs", "test", "web", "-f", "-c", "talker", "--kubeconfig", c.Kubeconfig()}, strings.NewReader(""), &out, &errb)
	}()
	defer func() {
		cancel()
		select {
		case code := <-done:
			t.Logf("logs -f exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
		case <-time.After(20 * time.Second):
			t.Error("kship logs -f did not stop when its context ended")
		}
	}()
	waitFor(t, "the first pods' lines", func(context.Context) bool {
		for _, p := range old {
			if !strings.Contains(out.String(), "pod/"+p+" talker talker: last line") {
				return false
			}
		}
		return true
	})

	talkerApp(t, dir, ns, "two") // the ConfigMap's new name rolls the Deployment
	mustCode(t, deployEnv(t, c, cfg), 0)
	oldSet := map[string]bool{}
	for _, p := range old {
		oldSet[p] = true
	}
	line := regexp.MustCompile(`pod/(web-\S+) talker talker: last line`)
	waitFor(t, "a new pod's lines and an old pod's going", func(context.Context) bool {
		newPod := false
		for _, m := range line.FindAllStringSubmatch(out.String(), -1) {
			newPod = newPod || !oldSet[m[1]]
		}
		gone := false
		for p := range oldSet {
			gone = gone || strings.Contains(errb.String(), "pod/"+p+" went away")
		}
		return newPod && gone
	})
	mustContain(t, "stderr", errb.String(), "kship: following pod/web-")
}
