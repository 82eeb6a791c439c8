package gitfs

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/build"
)

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com",
		"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testRepo commits a small kustomize tree with symbolic links on main,
// then changes the work tree without committing.
func testRepo(t *testing.T) (*Repo, string) {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "base/kustomization.yaml", "resources: [cm.yaml]\n")
	write(t, dir, "base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {A: committed}\n")
	write(t, dir, "overlays/stage/kustomization.yaml", "resources: [../../base, ../../linked]\nnamespace: stage\n")
	write(t, dir, "shared/kustomization.yaml", "resources: [extra.yaml]\n")
	write(t, dir, "shared/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n")
	for link, target := range map[string]string{"linked": "shared", "base/alias.yaml": "cm.yaml", "out": "../../etc"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "one")
	write(t, dir, "base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {A: uncommitted}\n")
	write(t, dir, "untracked.yaml", "x: 1\n")
	repo, err := Open(context.Background(), filepath.Join(dir, "overlays"))
	if err != nil {
		t.Fatal(err)
	}
	if repo.Root != dir {
		t.Fatalf("Root = %q, want %q", repo.Root, dir)
	}
	return repo, dir
}

func TestFS(t *testing.T) {
	ctx := context.Background()
	repo, dir := testRepo(t)
	commit, err := repo.MergeBase(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	f, err := repo.FS(ctx, commit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	read := func(name string) string {
		t.Helper()
		b, err := f.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", name, err)
		}
		return string(b)
	}
	if got := read("base/cm.yaml"); !strings.Contains(got, "committed") || strings.Contains(got, "uncommitted") {
		t.Errorf("base/cm.yaml = %q, want the committed content", got)
	}
	if got, want := read("base/alias.yaml"), read("base/cm.yaml"); got != want {
		t.Errorf("a link to a file reads %q, want its target's %q", got, want)
	}
	if got := read("linked/extra.yaml"); !strings.Contains(got, "name: extra") {
		t.Errorf("a link to a directory: linked/extra.yaml = %q", got)
	}
	for name, want := range map[string]bool{"untracked.yaml": false, "out": false, "base": true, "linked": true, "base/cm.yaml": true} {
		if got := f.Exists(filepath.Join(dir, name)); got != want {
			t.Errorf("Exists(%s) = %v, want %v", name, got, want)
		}
	}
	if !f.IsDir(filepath.Join(dir, "overlays", "stage")) || f.IsDir(filepath.Join(dir, "base", "cm.yaml")) {
		t.Error("IsDir is wrong")
	}
	names, err := f.ReadDir(filepath.Join(dir, "base"))
	sort.Strings(names)
	if err != nil || !cmp.Equal(names, []string{"alias.yaml", "cm.yaml", "kustomization.yaml"}) {
		t.Errorf("ReadDir(base) = %v, %v", names, err)
	}
	matches, err := f.Glob(filepath.Join(dir, "*", "*.yaml"))
	if err != nil || len(matches) != 7 {
		t.Errorf("Glob = %v, %v; want base's three files, shared's two and linked's two", matches, err)
	}

	// Writes under the root stay in memory; the work tree is not touched.
	if err := f.WriteFile(filepath.Join(dir, "base/cm.yaml"), []byte("in memory")); err != nil {
		t.Fatal(err)
	}
	if got := read("base/cm.yaml"); got != "in memory" {
		t.Errorf("after WriteFile: %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "base/cm.yaml")); !strings.Contains(string(b), "uncommitted") {
		t.Errorf("WriteFile reached the disk: %q", b)
	}

	// Outside the root, the disk.
	outside := filepath.Join(t.TempDir(), "x.yaml")
	if err := os.WriteFile(outside, []byte("disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := f.ReadFile(outside); err != nil || string(b) != "disk" {
		t.Errorf("ReadFile outside the root = %q, %v", b, err)
	}
}

func TestBuildFromCommit(t *testing.T) {
	ctx := context.Background()
	repo, dir := testRepo(t)
	f, err := repo.FS(ctx, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := build.BuildFS(f, filepath.Join(dir, "overlays", "stage"), build.Options{Images: []build.Image{{Name: "x", NewTag: "v2"}}, AllowUnusedImages: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := build.YAML(m)
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: stage\n---\n" +
		"apiVersion: v1\ndata:\n  A: committed\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: stage\n"
	if d := cmp.Diff(want, string(out)); d != "" {
		t.Errorf("build at HEAD (-want +got):\n%s", d)
	}
	if err := f.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestRefErrors(t *testing.T) {
	ctx := context.Background()
	repo, dir := testRepo(t)
	var re *RefError
	if _, err := repo.MergeBase(ctx, "nope"); !errors.As(err, &re) || !strings.Contains(err.Error(), "no such commit") {
		t.Errorf("unknown ref: %v", err)
	}
	if _, err := repo.MergeBase(ctx, "--all"); !errors.As(err, &re) {
		t.Errorf("a ref like a flag: %v", err)
	}
	gitIn(t, dir, "checkout", "-q", "--orphan", "other")
	gitIn(t, dir, "commit", "-q", "-m", "unrelated")
	if _, err := repo.MergeBase(ctx, "main"); !errors.As(err, &re) || !strings.Contains(err.Error(), "no merge base") {
		t.Errorf("unrelated histories: %v", err)
	}
	if _, err := Open(ctx, t.TempDir()); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open outside a repository: %v", err)
	}
}

// TestBuildRefusesLargeBlobUnread builds a commit whose resource is over
// the size limit: the build is refused from the tree listing's size, before
// the blob is read into memory.
func TestBuildRefusesLargeBlobUnread(t *testing.T) {
	ctx := context.Background()
	repo, dir := testRepo(t)
	big := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: " + strings.Repeat("x", 4096) + "}\n"
	write(t, dir, "big/kustomization.yaml", "resources: [big.yaml]\n")
	write(t, dir, "big/big.yaml", big)
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "big")
	f, err := repo.FS(ctx, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bigPath := filepath.Join(dir, "big", "big.yaml")
	info, err := f.Stat(bigPath)
	if err != nil || info.Size() != int64(len(big)) || !info.Mode().IsRegular() {
		t.Fatalf("Stat = %v, %v; want a regular file of %d bytes", info, err, len(big))
	}
	_, err = build.BuildFS(f, filepath.Join(dir, "big"), build.Options{Limits: build.Limits{MaxFileSize: 1024}})
	var le *build.LimitError
	if !errors.As(err, &le) || le.Path != bigPath || le.What != "size" || le.Size != int64(len(big)) {
		t.Fatalf("err = %v, want the size limit refusing %s", err, bigPath)
	}
	if _, unread := f.pending[bigPath]; !unread {
		t.Error("the blob was read before it was refused")
	}
}

func TestNormalizeRemote(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/shop/api.git":         "github.com/shop/api",
		"https://ci:token@GitHub.com/shop/api":    "github.com/shop/api",
		"git@github.com:shop/api.git":             "github.com/shop/api",
		"ssh://git@github.com:22/shop/api.git":    "github.com/shop/api",
		"ssh://git@gitlab.example/group/sub/api/": "gitlab.example/group/sub/api",
	} {
		if got := NormalizeRemote(in); got != want {
			t.Errorf("NormalizeRemote(%q) = %q, want %q", in, got, want)
		}
	}
}
