package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// aliasBomb is a 400-byte ConfigMap whose aliases kustomize would expand to
// 387 million values (some 23 GB in memory).
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 9; i++ {
		prev := "*l" + string(rune('0'+i-1))
		b.WriteString("  l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 8) + prev + "]\n")
	}
	return b.String()
}

// memoryLimit is the data segment (RLIMIT_DATA, which Go's heap counts
// against) the binary runs under: ample for kship, a tiny share of what
// the bomb takes expanded.
const memoryLimit = "1048576" // KiB: 1 GiB

// runLimited runs bin with args in dir under memoryLimit, stdin given.
func runLimited(t *testing.T, bin, dir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"-c", `ulimit -d ` + memoryLimit + ` && exec "$@"`, "sh", bin}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "CI=", "KUBECONFIG="+filepath.Join(dir, "no-kubeconfig"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running kship: %v", err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
}

// TestAliasBombUnderMemoryLimit runs the built binary, under a hard memory
// limit, on a tree with an alias bomb, through every command that builds
// or reads manifests: each must refuse the file (exit 3, naming it) instead
// of being killed for want of memory.
func TestAliasBombUnderMemoryLimit(t *testing.T) {
	bin := kshipBinary(t)
	dir := t.TempDir()
	clean := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata: {a: b}\n"
	writeFile(t, dir, "kship.yaml", "environments:\n  stage: {overlay: app, context: stage, namespace: shop}\n")
	writeFile(t, dir, "app/kustomization.yaml", "resources: [lol.yaml]\n")
	writeFile(t, dir, "app/lol.yaml", clean)
	writeFile(t, dir, "bomb.yaml", aliasBomb())
	writeFile(t, dir, "clean.yaml", clean)
	gitRepo(t, dir, "init", "-q")
	gitRepo(t, dir, "add", "-A")
	gitRepo(t, dir, "commit", "-q", "-m", "clean")
	writeFile(t, dir, "app/lol.yaml", aliasBomb())

	refused := func(t *testing.T, r result, file string) {
		t.Helper()
		if r.code != 3 || !strings.Contains(r.stderr, file+": its YAML aliases expand to more than 16Mi") {
			t.Fatalf("exit %d, want 3 with the file refused; stderr:\n%s", r.code, r.stderr)
		}
	}
	for _, tt := range []struct {
		name  string
		stdin string
		args  []string
		file  string
	}{
		{"build", "", []string{"build", "stage"}, "app/lol.yaml"},
		{"deploy", "", []string{"deploy", "stage"}, "app/lol.yaml"},
		{"live diff", "", []string{"diff", "stage"}, "app/lol.yaml"},
		{"diff --base, in the working tree", "", []string{"diff", "stage", "--base", "main"}, "app/lol.yaml"},
		{"validate", "", []string{"validate", "stage"}, "app/lol.yaml"},
		{"validate -f", "", []string{"validate", "-f", "app/lol.yaml"}, "app/lol.yaml"},
		{"validate -f -", aliasBomb(), []string{"validate", "stage", "-f", "-"}, "stdin"},
		{"validate --crds", "", []string{"validate", "-f", "clean.yaml", "--crds", "bomb.yaml"}, "bomb.yaml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			refused(t, runLimited(t, bin, dir, tt.stdin, tt.args...), tt.file)
		})
	}
	t.Run("diff --base, at the base", func(t *testing.T) {
		gitRepo(t, dir, "commit", "-q", "-a", "-m", "bomb")
		writeFile(t, dir, "app/lol.yaml", clean)
		refused(t, runLimited(t, bin, dir, "", "diff", "stage", "--base", "main"), "app/lol.yaml")
	})
}

// TestLimitsFromConfig lowers and raises the limits in kship.yaml.
func TestLimitsFromConfig(t *testing.T) {
	dir := t.TempDir()
	big := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: " + strings.Repeat("x", 2048) + "}\n"
	writeFile(t, dir, "app/kustomization.yaml", "resources: [big.yaml]\n")
	writeFile(t, dir, "app/big.yaml", big)
	for _, tt := range []struct {
		name, limits, stderr string
		code                 int
	}{
		{"defaults", "", "", 0},
		{"lowered", "limits: {maxFileSize: 1Ki}\n", "app/big.yaml: 2.1 KiB is more than the 1Ki a file may have: split the file, or raise limits.maxFileSize in kship.yaml", 3},
		{"raised again", "limits: {maxFileSize: 4Ki}\n", "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, dir, "kship.yaml", tt.limits+"environments:\n  stage: {overlay: app, context: stage}\n")
			r := run(t, "--config", cfg, "build", "stage")
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want it to contain %q", r.code, tt.code, r.stderr, tt.stderr)
			}
		})
	}
}
