package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Written is what Write did with each file.
type Written struct {
	// Created are the files that did not exist and were written.
	Created []string
	// Overwritten are existing files replaced (with force only).
	Overwritten []string
	// Kept are existing files whose content differs from the template's,
	// left as they are.
	Kept []string
	// Same are existing files that already hold the template's content.
	Same []string
}

// Write writes files under dir, creating directories as needed. An
// existing file is never replaced unless force is set: Write adds what is
// missing and reports the rest as Kept (or Same), so that running it in an
// existing repository leaves the repository's own files alone.
func Write(dir string, files []File, force bool) (Written, error) {
	var w Written
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		old, err := os.ReadFile(p)
		exists := err == nil
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return w, fmt.Errorf("%s: %w", p, err)
		case bytes.Equal(old, f.Data):
			w.Same = append(w.Same, f.Path)
			continue
		case !force:
			w.Kept = append(w.Kept, f.Path)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return w, err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return w, err
		}
		if exists {
			w.Overwritten = append(w.Overwritten, f.Path)
		} else {
			w.Created = append(w.Created, f.Path)
		}
	}
	return w, nil
}
