package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"golang.org/x/term"
)

func execIn(t *testing.T, c *testcluster.Cluster, cfg string, args ...string) result {
	t.Helper()
	all := append([]string{"--config", cfg, "exec", "test", "--kubeconfig", c.Kubeconfig()}, args...)
	r := run(t, all...)
	t.Logf("kship %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(all, " "), r.code, r.stdout, r.stderr)
	return r
}

// TestExec runs commands in a pod of the environment, as kwok runs them
// (on this machine): the output and the exit code come back, the pod is
// named; a production environment needs --yes where kship cannot ask; an
// unknown workload and the wrong context are refused.
func TestExec(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{}.write(t, dir, testcluster.ContextName, ns)
	mustCode(t, deployEnv(t, c, cfg), 0)

	r := execIn(t, c, cfg, "api", "--", "echo", "hello", "from", "exec")
	mustCode(t, r, 0)
	if r.stdout != "hello from exec\n" {
		t.Errorf("stdout = %q, want the command's output", r.stdout)
	}
	mustContain(t, "stderr", r.stderr, "kship: running echo hello from exec in pod/api-", "container api (Deployment/"+ns+"/api, 2 ready)")

	// The one Deployment is the default. A kubelet reports a command's exit
	// code, and kship exits with it; kwok reports it as an error of the
	// exec, which kship passes on (exit 4), with the command's stderr.
	r = execIn(t, c, cfg, "--", "sh", "-c", "echo to stderr >&2; exit 3")
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "to stderr", "exit status 3")

	r = execIn(t, c, cfg, "apy", "--", "true")
	mustCode(t, r, 2)
	mustContain(t, "stderr", r.stderr, `no workload "apy" in test`, "Deployment/api, Job/migrate")

	prod := writeFile(t, dir, "prod.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: %s\n    namespace: %s\n    production: true\n", testcluster.ContextName, ns))
	r = execIn(t, c, prod, "--", "true")
	mustCode(t, r, 2)
	mustContain(t, "stderr", r.stderr, "production environment", "--yes")
	r = execIn(t, c, prod, "--yes", "--", "echo", "ok")
	mustCode(t, r, 0)
	if r.stdout != "ok\n" {
		t.Errorf("with --yes, stdout = %q", r.stdout)
	}

	other := writeFile(t, dir, "other.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: elsewhere\n    namespace: %s\n", ns))
	r = execIn(t, c, other, "--", "echo", "no")
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, `kube context "elsewhere"`)
	if r.stdout != "" {
		t.Errorf("the wrong context ran the command: %q", r.stdout)
	}
}

// TestExecWithoutAReadyPod refuses to run a command when the workload has
// no ready pod, saying what its pods do.
func TestExecWithoutAReadyPod(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{Replicas: 1, NoJob: true, PodAnnots: map[string]string{testcluster.AnnotationNeverReady: "true"}}.write(t, t.TempDir(), testcluster.ContextName, ns)
	mustCode(t, deployEnv(t, c, cfg, "--timeout", "3s"), 5)
	r := execIn(t, c, cfg, "api", "--", "echo", "no")
	mustCode(t, r, 4)
	mustContain(t, "stderr", r.stderr, "Deployment/"+ns+"/api has no ready pod: api-", "running, not ready")
	if r.stdout != "" {
		t.Errorf("a command ran: %q", r.stdout)
	}
}

// TestExecAtATerminal runs a command with a terminal, as at a laptop: its
// output comes back through the terminal, and the terminal is left as it
// was found.
func TestExecAtATerminal(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{Replicas: 1, NoJob: true}.write(t, t.TempDir(), testcluster.ContextName, ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	master, slave := openPTY(t)
	defer master.Close()
	before, err := term.GetState(int(slave.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	go func() { _, _ = io.Copy(&out, master) }()
	var errb bytes.Buffer
	// kwok's fake kubelet closes the command's terminal as soon as the
	// command exits, dropping output it has not yet relayed (a kubelet
	// drains it); the command stays a moment so that its output arrives.
	code := Run(context.Background(), []string{"kship", "--config", cfg, "exec", "test", "--kubeconfig", c.Kubeconfig(), "--", "sh", "-c", "test -t 1 && echo on a terminal && sleep 2"}, slave, slave, &errb)
	after, err := term.GetState(int(slave.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exit %d\nstderr:\n%s", code, errb.String())
	// The keyboard's reader is still blocked on the terminal, as in kubectl,
	// until the process exits; so the output is awaited, not the end of it.
	waitFor(t, "the command's output on the terminal", func(context.Context) bool { return strings.Contains(out.String(), "on a terminal") })
	t.Logf("terminal:\n%q", out.String())
	mustCode(t, result{code: code}, 0)
	if !reflect.DeepEqual(before, after) {
		t.Error("the terminal was left in another mode than it was found in")
	}
}

// TestExecConfirmsInProduction: at a laptop's terminal, exec in a
// production environment asks for the environment's name; another answer
// runs nothing, the name runs the default command, a shell, which reads
// the rest of the keyboard's input.
func TestExecConfirmsInProduction(t *testing.T) {
	t.Setenv("CI", "") // at a laptop's terminal, not in CI
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	dir := t.TempDir()
	cfg := app{Replicas: 1, NoJob: true}.write(t, dir, testcluster.ContextName, ns)
	mustCode(t, deployEnv(t, c, cfg), 0)
	prod := writeFile(t, dir, "prod.yaml", fmt.Sprintf("environments:\n  test:\n    overlay: app\n    context: %s\n    namespace: %s\n    production: true\n", testcluster.ContextName, ns))
	for _, answer := range []string{"prod", "test"} {
		master, slave := openPTY(t)
		// The shell's output, 42, is not in what the terminal echoes of the
		// input; the shell stays a moment, as kwok drops what it has not
		// relayed when the command exits.
		if _, err := master.WriteString(answer + "\necho $((6*7)); sleep 2; exit\n"); err != nil {
			t.Fatal(err)
		}
		var out syncBuffer
		copied := make(chan struct{})
		go func() { _, _ = io.Copy(&out, master); close(copied) }()
		var errb bytes.Buffer
		code := Run(context.Background(), []string{"kship", "--config", prod, "exec", "test", "--kubeconfig", c.Kubeconfig()}, slave, slave, &errb)
		t.Logf("answer %q: exit %d\nstderr:\n%s", answer, code, errb.String())
		mustContain(t, "stderr", errb.String(), "kship: running /bin/sh in pod/api-", `Type "test" to run it in this production environment`)
		if answer == "prod" {
			mustCode(t, result{code: code}, 2)
		} else {
			waitFor(t, "the shell's output on the terminal", func(context.Context) bool { return strings.Contains(out.String(), "42") })
			mustCode(t, result{code: code}, 0)
		}
		// All the terminal got is read before it is judged: the copier
		// ends once the last of it is read after the slave closes.
		slave.Close()
		select {
		case <-copied:
		case <-time.After(5 * time.Second):
			t.Log("the terminal's copier had not ended 5s after the slave closed; judging what it read")
		}
		master.Close()
		if answer == "prod" && strings.Contains(out.String(), "42") {
			t.Errorf("another answer ran the command:\n%q", out.String())
		}
	}
}
