package kustomizecli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kship/kship/internal/repo"
)

// EnvVar names the environment variable that, when set, says which kustomize
// CLI to use: a path, or a name to look up on PATH.
const EnvVar = "KSHIP_KUSTOMIZE"

// binScript is the script, relative to the repository root, that builds the
// pinned peer binaries and prints their directory on stdout.
var binScript = filepath.Join("tools", "bin.sh")

// ErrNotFound means no kustomize CLI is configured: EnvVar is unset and the
// repository has no tools/bin.sh.
var ErrNotFound = errors.New("kustomize CLI not found")

var cached = sync.OnceValues(func() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := repo.Root(wd)
	if err != nil {
		return "", err
	}
	return Find(context.Background(), root)
})

// Path returns the absolute path of the kustomize CLI for the repository that
// holds the working directory, as Find does. The answer is computed once per
// process, because running tools/bin.sh on a cold cache takes minutes.
func Path() (string, error) { return cached() }

// Find returns the absolute path of the kustomize CLI: $KSHIP_KUSTOMIZE if it
// is set, else <bindir>/kustomize where <bindir> is what root/tools/bin.sh
// prints. With neither, the error wraps ErrNotFound.
func Find(ctx context.Context, root string) (string, error) {
	if v := os.Getenv(EnvVar); v != "" {
		p, err := lookPath(v)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %w", EnvVar, v, err)
		}
		return p, nil
	}
	script := filepath.Join(root, binScript)
	if _, err := os.Stat(script); errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%w: set %s to a kustomize binary, or add %s", ErrNotFound, EnvVar, script)
	} else if err != nil {
		return "", err
	}
	dir, err := runBinScript(ctx, root, script)
	if err != nil {
		return "", err
	}
	p, err := lookPath(filepath.Join(dir, "kustomize"))
	if err != nil {
		return "", fmt.Errorf("%s printed %s: %w", script, dir, err)
	}
	return p, nil
}

// runBinScript runs tools/bin.sh from root and returns the directory it
// prints, which must be its only line of output.
func runBinScript(ctx context.Context, root, script string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, script)
	cmd.Dir = root
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w\n%s", script, err, tail(stderr.String(), 20))
	}
	dir := strings.TrimSpace(stdout.String())
	if dir == "" || strings.Contains(dir, "\n") {
		return "", fmt.Errorf("%s: want one directory on stdout, got %q", script, stdout.String())
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	return dir, nil
}

// lookPath resolves name like a shell would and makes the result absolute.
func lookPath(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}

// tail returns the last n lines of s, for error messages.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
