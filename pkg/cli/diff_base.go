package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/diff"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/gitfs"
	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// sides is one thing to diff offline: its kustomization directory at the
// base commit and in the working tree ("" where it does not exist).
type sides struct {
	name, note    string
	before, after string
}

// baseDiff builds each target at `git merge-base REF HEAD`, read from git
// into memory, and in the working tree, and diffs the two builds. It needs
// no cluster and changes nothing on disk. A nil report with a nil error
// means --branch deploys nowhere.
func (d *diffCmd) baseDiff(ctx context.Context, show bool) (*diff.Report, error) {
	ref := d.base
	head, err := d.sel.loadConfig(false)
	if err != nil {
		return nil, err
	}
	start := "."
	if head != nil {
		start = filepath.Dir(head.Path)
	}
	repo, err := gitfs.Open(ctx, start)
	if err != nil {
		return nil, usagef("--base needs a git repository: %v", err)
	}
	commit, err := repo.MergeBase(ctx, ref)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("--base: %w", err))
	}
	short := repo.Short(ctx, commit)
	tree, err := repo.FS(ctx, commit)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Build, err)
	}
	defer tree.Close()
	at := fmt.Sprintf("%s (merge-base %s)", ref, short)
	old, err := configAt(tree, repo.Root, head)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Build, fmt.Errorf("at %s: %w", at, err))
	}
	targets, err := baseTargets(d.sel, head, old, tree, at)
	if err != nil {
		return nil, err
	}
	rep := &diff.Report{From: at, To: "working tree"}
	opts := withLimits(d.build, head)
	opts.Reuse = &build.Reuse{} // most parts of a big tree are the same at both sides
	dopts := diff.Options{ShowSecrets: show, From: short, To: "working-tree"}
	maskDecrypted(&dopts, opts)
	// An override must match at one side of one target at least: a service
	// the branch adds has no image at the base.
	check := !opts.AllowUnusedImages && len(opts.Images) > 0
	if check {
		opts.AllowUnusedImages, opts.ImageUse = true, &build.ImageUse{}
	}
	baseOpts := opts
	baseOpts.Limits = limitsOf(old) // each side's kship.yaml sets its own
	for _, s := range targets {
		before, err := buildAt(tree, s.before, baseOpts)
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Build, fmt.Errorf("%s at %s: %w", s.name, at, err))
		}
		after, err := buildAt(filesys.MakeFsOnDisk(), s.after, opts)
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Build, fmt.Errorf("%s in the working tree: %w", s.name, err))
		}
		plan, err := diff.Compute(diff.Input{Env: s.name, Note: s.note, Pairs: pairByRef(before, after)}, dopts)
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Build, err)
		}
		rep.Plans = append(rep.Plans, plan)
	}
	if check {
		if err := opts.ImageUse.Unused(opts.Images); err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, err)
		}
	}
	return rep, nil
}

// configAt reads kship.yaml from the base tree: at the working tree's path,
// or, without one, in the working directory or a parent up to the root. A
// tree without it gives nil.
func configAt(tree filesys.FileSystem, root string, head *config.Config) (*config.Config, error) {
	var path string
	if head != nil {
		path = head.Path
	} else {
		dir, err := filepath.Abs(".")
		if err != nil {
			return nil, err
		}
		for ; path == ""; dir = filepath.Dir(dir) {
			if p := filepath.Join(dir, config.FileName); tree.Exists(p) {
				path = p
			} else if dir == root || dir == filepath.Dir(dir) {
				return nil, nil
			}
		}
	}
	if !tree.Exists(path) {
		return nil, nil
	}
	if st, ok := tree.(interface {
		Stat(string) (os.FileInfo, error)
	}); ok {
		if info, err := st.Stat(path); err == nil && info.Size() > config.MaxFileSize {
			return nil, fmt.Errorf("%s: more than %d bytes: a kship.yaml names environments and is far smaller", path, config.MaxFileSize)
		}
	}
	data, err := tree.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return config.Parse(path, data)
}

// baseTargets resolves --all, --branch or ENV|DIR against both sides'
// kship.yaml. An environment or directory on one side only is diffed against
// nothing, with a note. A --branch that deploys nowhere is a *NothingToDo.
func baseTargets(sel selection, head, old *config.Config, tree filesys.FileSystem, at string) ([]sides, error) {
	branch := sel.branch
	switch {
	case sel.all && (len(sel.args) > 0 || branch != ""):
		return nil, usagef("give --all, an environment or --branch, not several")
	case sel.all:
		names := envNames(head, old)
		if len(names) == 0 {
			return nil, usagef("--all: there is no %s in the working tree or at %s", config.FileName, at)
		}
		out := make([]sides, len(names))
		for i, n := range names {
			out[i] = envSides(n, head, old, at)
		}
		return out, nil
	case branch != "" && len(sel.args) > 0:
		return nil, usagef("give an environment or --branch, not both")
	case branch != "":
		if head == nil {
			return nil, usagef("--branch needs %s: create one, or pass --config", config.FileName)
		}
		if env := head.ForBranch(branch); env != nil {
			return []sides{envSides(env.Name, head, old, at)}, nil
		}
		return nil, unmappedBranch(head, branch)
	case len(sel.args) != 1:
		return nil, usagef("give one environment or kustomization directory (see 'kship envs'), --branch or --all")
	}
	arg := sel.args[0]
	if env(head, arg) != nil || env(old, arg) != nil {
		return []sides{envSides(arg, head, old, at)}, nil
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, err)
	}
	s := sides{name: arg}
	if info, err := os.Stat(abs); err == nil && info.IsDir() {
		s.after = abs
	}
	if tree.IsDir(abs) {
		s.before = abs
	}
	switch {
	case s.before == "" && s.after == "" && head != nil:
		_, err := head.Environment(arg)
		return nil, exitcode.Wrap(exitcode.Usage, err)
	case s.before == "" && s.after == "":
		return nil, usagef("%q is neither an environment nor a directory, in the working tree or at %s", arg, at)
	case s.before == "":
		s.note = "directory added: not at " + at
	case s.after == "":
		s.note = "directory removed: not in the working tree"
	}
	return []sides{s}, nil
}

func envSides(name string, head, old *config.Config, at string) sides {
	s := sides{name: name}
	if e := env(head, name); e != nil {
		s.after = e.Overlay
	}
	if e := env(old, name); e != nil {
		s.before = e.Overlay
	}
	switch {
	case s.before == "":
		s.note = "environment added: not in " + config.FileName + " at " + at
	case s.after == "":
		s.note = "environment removed: not in the working tree's " + config.FileName
	}
	return s
}

func env(c *config.Config, name string) *config.Environment {
	if c == nil {
		return nil
	}
	return c.Environments[name]
}

// envNames is the sorted union of both sides' environment names.
func envNames(configs ...*config.Config) []string {
	seen := map[string]bool{}
	var names []string
	for _, c := range configs {
		if c == nil {
			continue
		}
		for n := range c.Environments {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names
}

// buildAt builds dir from fSys; no directory, no objects.
func buildAt(fSys filesys.FileSystem, dir string, opts build.Options) ([]*unstructured.Unstructured, error) {
	if dir == "" {
		return nil, nil
	}
	m, err := build.BuildFS(fSys, dir, opts)
	if err != nil {
		return nil, err
	}
	return build.Objects(m)
}

// pairByRef pairs the objects of two builds by group, kind, namespace and
// name: the new build's order first, then what only the old one has.
func pairByRef(before, after []*unstructured.Unstructured) []diff.Pair {
	old := make(map[object.Ref]*unstructured.Unstructured, len(before))
	for _, o := range before {
		old[object.RefOf(o)] = o
	}
	pairs := make([]diff.Pair, 0, len(after)+len(before))
	for _, o := range after {
		ref := object.RefOf(o)
		pairs = append(pairs, diff.Pair{Before: old[ref], After: o})
		delete(old, ref)
	}
	for _, o := range before {
		if _, gone := old[object.RefOf(o)]; gone {
			pairs = append(pairs, diff.Pair{Before: o})
		}
	}
	return pairs
}
