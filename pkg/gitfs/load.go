package gitfs

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// treeEntry is one line of `git ls-tree -r -z`.
type treeEntry struct {
	mode, kind, sha, path string // path is slash-separated, relative to the root
	size                  int64  // a blob's size; -1 for other objects
}

// File modes git records.
const (
	modeSymlink   = "120000"
	modeSubmodule = "160000"
)

// listTree lists every file of commit's tree, with its size.
func listTree(ctx context.Context, root, commit string) ([]treeEntry, error) {
	out, err := git(ctx, root, nil, "ls-tree", "-r", "-z", "-l", "--full-tree", commit)
	if err != nil {
		return nil, err
	}
	var entries []treeEntry
	for _, rec := range bytes.Split([]byte(out), []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		fields := strings.Fields(string(meta))
		if !ok || len(fields) != 4 {
			return nil, fmt.Errorf("git ls-tree: unexpected line %q", rec)
		}
		size, err := strconv.ParseInt(fields[3], 10, 64)
		if err != nil {
			size = -1 // "-" for a submodule
		}
		entries = append(entries, treeEntry{mode: fields[0], kind: fields[1], sha: fields[2], path: string(p), size: size})
	}
	return entries, nil
}

// resolveLinks returns the blobs that symbolic links inside the tree stand
// for: a link to a file becomes that file's blob, a link to a directory
// becomes a copy of the directory's files. Links that leave the tree, dangle
// or loop are left out, as if absent.
func resolveLinks(files map[string]string, links map[string]string) map[string]string {
	added := map[string]string{}
	for progress := true; progress && len(links) > 0; {
		progress = false
		for _, link := range sortedKeys(links) {
			target := links[link]
			if sha, ok := files[target]; ok {
				files[link], added[link] = sha, sha
				delete(links, link)
				progress = true
				continue
			}
			if target == "." || strings.HasPrefix(link+"/", target+"/") {
				continue // a link to a directory that holds it: a loop
			}
			prefix := target + "/"
			var copied bool
			for _, p := range sortedKeys(files) {
				if strings.HasPrefix(p, prefix) {
					copy := link + "/" + strings.TrimPrefix(p, prefix)
					files[copy], added[copy] = files[p], files[p]
					copied = true
				}
			}
			if copied {
				delete(links, link)
				progress = true
			}
		}
	}
	return added
}

// linkTarget is where a link at p pointing at target leads, relative to the
// tree's root; false when it leads out of the tree.
func linkTarget(p, target string) (string, bool) {
	if filepath.IsAbs(target) {
		return "", false
	}
	t := path.Clean(path.Join(path.Dir(p), filepath.ToSlash(target)))
	if t == ".." || strings.HasPrefix(t, "../") {
		return "", false
	}
	return t, true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
