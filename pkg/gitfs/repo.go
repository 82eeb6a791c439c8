package gitfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNotRepository is returned by Open for a directory outside any git work
// tree.
var ErrNotRepository = errors.New("not inside a git work tree")

// RefError says that a revision cannot be used: it does not exist, or has no
// merge base with HEAD.
type RefError struct {
	Ref string
	Err error
}

// Error says which ref and why.
func (e *RefError) Error() string { return fmt.Sprintf("git ref %q: %v", e.Ref, e.Err) }

// Unwrap returns the cause.
func (e *RefError) Unwrap() error { return e.Err }

// Repo is a git work tree that commits are read from.
type Repo struct {
	// Root is the work tree's top directory, absolute, spelt as the caller
	// spelt the directory given to Open (symbolic links not resolved), so that
	// paths under it match the caller's.
	Root string
}

// Open returns the repository whose work tree holds dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	prefix, err := git(ctx, abs, nil, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("%s: %w (%v)", abs, ErrNotRepository, err)
	}
	root := abs
	for p := strings.TrimSuffix(strings.TrimSpace(prefix), "/"); p != "" && p != "."; p = filepath.Dir(p) {
		root = filepath.Dir(root)
	}
	return &Repo{Root: root}, nil
}

// MergeBase returns the commit `git merge-base REF HEAD` names: where the
// current branch left ref.
func (r *Repo) MergeBase(ctx context.Context, ref string) (string, error) {
	if strings.HasPrefix(ref, "-") {
		return "", &RefError{Ref: ref, Err: errors.New("a ref cannot start with '-'")}
	}
	if _, err := git(ctx, r.Root, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return "", &RefError{Ref: ref, Err: fmt.Errorf("no such commit in %s: check the name, or fetch it first (e.g. git fetch origin main)", r.Root)}
	}
	out, err := git(ctx, r.Root, nil, "merge-base", ref, "HEAD")
	if err != nil {
		hint := "the two histories share no commit"
		if shallow, _ := git(ctx, r.Root, nil, "rev-parse", "--is-shallow-repository"); strings.TrimSpace(shallow) == "true" {
			hint = "this is a shallow clone: fetch more history (git fetch --unshallow, or a deeper checkout in CI)"
		}
		return "", &RefError{Ref: ref, Err: fmt.Errorf("no merge base with HEAD: %s", hint)}
	}
	return strings.TrimSpace(out), nil
}

// Short returns commit's abbreviated name, e.g. "1a2b3c4".
func (r *Repo) Short(ctx context.Context, commit string) string {
	out, err := git(ctx, r.Root, nil, "rev-parse", "--short", commit)
	if err != nil {
		return commit
	}
	return strings.TrimSpace(out)
}

// git runs git in dir and returns its standard output; stdin, when given,
// is its input. Its error carries git's message.
func git(ctx context.Context, dir string, stdin []byte, args ...string) (string, error) {
	cmd := command(ctx, dir, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", args[0], msg)
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.String(), nil
}

// command is `git -C dir args...`, with optional locks off so that not even
// git's index refresh writes to the repository.
func command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0")
	return cmd
}

// Origin returns the URL of the repository's remote "origin", normalised
// so that the same repository reads the same whether cloned over HTTPS or
// SSH (`github.com/shop/api`); "" when it has none.
func (r *Repo) Origin(ctx context.Context) string {
	url, err := git(ctx, r.Root, nil, "config", "--get", "remote.origin.url")
	if err != nil {
		return ""
	}
	return NormalizeRemote(strings.TrimSpace(url))
}

// NormalizeRemote turns a git remote URL (https://host/path.git,
// ssh://user@host:port/path, user@host:path) into host/path.
func NormalizeRemote(url string) string {
	s := url
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		host, path, _ := strings.Cut(s, "/")
		if j := strings.LastIndex(host, "@"); j >= 0 {
			host = host[j+1:]
		}
		host, _, _ = strings.Cut(host, ":")
		s = host + "/" + path
	} else if host, path, ok := strings.Cut(s, ":"); ok && !strings.Contains(host, "/") {
		if j := strings.LastIndex(host, "@"); j >= 0 {
			host = host[j+1:]
		}
		s = host + "/" + path
	}
	host, path, _ := strings.Cut(s, "/")
	return strings.ToLower(host) + "/" + strings.TrimSuffix(strings.TrimSuffix(path, "/"), ".git")
}
