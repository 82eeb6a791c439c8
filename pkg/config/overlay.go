package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// repositoryRoot is the git work tree that holds dir, found as Find finds
// it (the first directory up from dir that has .git), or dir itself when
// none does.
func repositoryRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// within reports whether p is root or lies under it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// checkOverlay refuses an overlay outside the repository root, written so
// or reached through a symbolic link, unless kship.yaml allows it: a pull
// request must not make kship build (and read) files elsewhere on the
// machine that runs it.
func (c *Config) checkOverlay(overlay string) error {
	if c.AllowOverlaysOutsideRepository {
		return nil
	}
	root := repositoryRoot(filepath.Dir(c.Path))
	outside := !within(root, overlay)
	if !outside {
		realRoot, err1 := filepath.EvalSymlinks(root)
		real, err2 := filepath.EvalSymlinks(overlay)
		outside = err1 == nil && err2 == nil && !within(realRoot, real)
	}
	if outside {
		return fmt.Errorf("overlay %s is outside the repository %s: move it inside, or set 'allowOverlaysOutsideRepository: true' at the top of %s if this is meant", overlay, root, FileName)
	}
	return nil
}

// overlayError is a refused overlay, so that its error can name the
// overlay's line.
type overlayError struct{ error }

func (e *overlayError) Unwrap() error { return e.error }
