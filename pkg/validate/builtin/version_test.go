package builtin

import (
	"os"
	"strings"
	"testing"
)

// moduleVersion reads the k8s.io/kubernetes version from go.mod.
func moduleVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "k8s.io/kubernetes" {
			return f[1]
		}
	}
	t.Fatal("go.mod does not require k8s.io/kubernetes")
	return ""
}
