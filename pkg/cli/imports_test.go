package cli

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTalksToClustersOnlyThroughTheEngine: the CLI parses flags and renders
// results; whatever reads or writes a cluster sits below the engine, so no
// file of pkg/cli imports a cluster-facing package or client-go.
func TestTalksToClustersOnlyThroughTheEngine(t *testing.T) {
	below := []string{"apply", "deploy", "guard", "inventory", "kube", "lock", "podexec", "podlogs", "prune", "readiness", "status", "wait", "workload"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, pkg := range below {
				if path == "github.com/kship/kship/pkg/"+pkg {
					t.Errorf("%s imports %s: call the engine instead", f, path)
				}
			}
			if strings.HasPrefix(path, "k8s.io/client-go/") {
				t.Errorf("%s imports %s: call the engine instead", f, path)
			}
		}
	}
}
