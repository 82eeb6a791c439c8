package build_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/kship/kship/internal/kustomizecli"
	"github.com/kship/kship/internal/repo"
	"github.com/kship/kship/pkg/build"
)

// parityCLI returns the kustomize CLI to compare against. Without one the
// test is skipped, except in CI (CI=true), where that is a failure. A CLI
// linking another kustomize/api than kship's go.mod always fails the test:
// parity is only promised between equal versions.
func parityCLI(t *testing.T) string {
	t.Helper()
	path, err := kustomizecli.Path()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kustomize CLI: %v", err)
		}
		t.Skipf("kustomize CLI: %v (CI=true makes this a failure)", err)
	}
	if err := parityAPICheck(); err != nil {
		t.Fatal(err)
	}
	return path
}

// parityAPICheck runs checkAPIVersion once per test binary on the CLI that
// kustomizecli.Path, which caches its answer, returns.
var parityAPICheck = sync.OnceValue(func() error {
	path, err := kustomizecli.Path()
	if err != nil {
		return err
	}
	return checkAPIVersion(path)
})

// checkAPIVersion fails unless cli links the kustomize/api version that
// kship's go.mod requires.
func checkAPIVersion(cli string) error {
	root, err := repo.Root(".")
	if err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(kustomizecli.APIModule) + `\s+(v\S+)`).FindSubmatch(gomod)
	if m == nil {
		return fmt.Errorf("go.mod does not require %s", kustomizecli.APIModule)
	}
	want := string(m[1])
	got, err := kustomizecli.APIVersion(cli)
	if err != nil {
		return fmt.Errorf("kustomize CLI %s: %w", cli, err)
	}
	if got != want {
		return fmt.Errorf("kustomize CLI %s links %s %s but kship uses %s: install the matching CLI (tools/bin.sh pins it)", cli, kustomizecli.APIModule, got, want)
	}
	return nil
}

// cliRun runs the kustomize CLI in dir with the environment of a default
// install and returns its stdout. A failure's error is the CLI's own message,
// without the "Error: " prefix, so that it compares with kship's.
func cliRun(ctx context.Context, cli, dir string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Dir = dir
	cmd.Env = kustomizecli.Environ()
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil, &cliError{msg: cliMessage(stderr.String()), code: exit.ExitCode()}
	}
	if err != nil {
		return nil, err
	}
	return stdout.Bytes(), nil
}

// cliError is a run of the CLI that exited non-zero.
type cliError struct {
	msg  string
	code int
}

func (e *cliError) Error() string { return e.msg }

// cliMessage extracts the error from the CLI's stderr, which may start with
// deprecation warnings: everything from the first "Error: " line on.
func cliMessage(stderr string) string {
	if i := strings.Index("\n"+stderr, "\nError: "); i >= 0 {
		return strings.TrimSpace(stderr[i+len("Error: "):])
	}
	return strings.TrimSpace(stderr)
}

// kshipRun builds dir with kship and renders it. A failure's error is the
// kustomize error that kship wrapped, so that it compares with the CLI's.
func kshipRun(dir string, opts build.Options) ([]byte, error) {
	m, err := build.Build(dir, opts)
	if err != nil {
		var be *build.Error
		if !errors.As(err, &be) {
			return nil, fmt.Errorf("build.Build returned %T, want *build.Error: %w", err, err)
		}
		return nil, be.Err
	}
	return build.YAML(m)
}
