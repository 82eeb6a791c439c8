package cli

import (
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/internal/repo"
)

// corpus copies the app tree testdata/apps/NAME into a temporary directory,
// replacing every old string of renames with its new one in every file, so
// that cluster-scoped names (API groups, namespaces, ClusterRoles) are new
// on the shared test cluster for each run. It returns the copy's path.
func corpus(t *testing.T, name string, renames map[string]string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := repo.Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "testdata", "apps", name)
	dst := t.TempDir()
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		for old, new := range renames {
			s = strings.ReplaceAll(s, old, new)
		}
		rel, _ := filepath.Rel(src, p)
		writeFile(t, dst, rel, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// suffix returns a short random string for names unique to one run.
func suffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// envConfig writes a kship.yaml in dir with one environment "test" that
// builds overlay and deploys to ns through context, plus extra lines for it.
func envConfig(t *testing.T, dir, overlay, context, ns string, extra ...string) string {
	t.Helper()
	body := "environments:\n  test:\n    overlay: " + overlay + "\n    context: " + context + "\n    namespace: " + ns + "\n"
	for _, e := range extra {
		body += "    " + e + "\n"
	}
	return writeFile(t, dir, "kship.yaml", body)
}
