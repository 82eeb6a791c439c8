package build_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	sigsyaml "sigs.k8s.io/yaml"
)

// parityTree is a directory that holds a kustomization file.
type parityTree struct {
	rel       string // slash-separated, relative to the walked root
	component bool   // the file says kind: Component
}

// parityWalkSkip says which directories findTrees does not descend into:
// hidden ones (.git, .cluster, .cache), build output and JavaScript deps.
func parityWalkSkip(name string) bool {
	return strings.HasPrefix(name, ".") || name == "bin" || name == "node_modules"
}

// findTrees returns every directory at or below root that holds a
// kustomization file, sorted by path, except those below the directories
// (relative to root) in prune.
func findTrees(root string, prune ...string) ([]parityTree, error) {
	var trees []parityTree
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if p != root && parityWalkSkip(d.Name()) {
			return filepath.SkipDir
		}
		for _, x := range prune {
			if rel == x {
				return filepath.SkipDir
			}
		}
		file, ok := kustomizationIn(p)
		if !ok {
			return nil
		}
		trees = append(trees, parityTree{rel: rel, component: isComponent(file)})
		return nil
	})
	return trees, err
}

// kustomizationIn returns the kustomization file in dir, if there is one.
func kustomizationIn(dir string) (string, bool) {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// isComponent reports whether the kustomization file at path declares
// kind: Component. An unreadable file is not a component: building it shows
// the real problem.
func isComponent(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var k struct{ Kind string }
	return sigsyaml.Unmarshal(data, &k) == nil && k.Kind == types.ComponentKind
}

// copyTree copies the files below src into dst, keeping modes.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !info.Mode().IsRegular():
			return nil
		}
		return copyFile(p, target, info.Mode().Perm())
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// hashTree maps every file and directory below dir to a digest of its
// contents and mode, to prove that a build left a tree as it was.
func hashTree(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum := info.Mode().String()
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(data)
			sum += " " + hex.EncodeToString(h[:])
		}
		out[filepath.ToSlash(rel)] = sum
		return nil
	})
	return out, err
}
