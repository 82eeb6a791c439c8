package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kship/kship/internal/testcluster"
)

// --progress=json writes one JSON object per event on stderr: the lock,
// each phase and object, in order, and nothing else on that stream when
// the deploy succeeds.
func TestProgressJSON(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	cfg := app{}.write(t, t.TempDir(), c.Context(), ns)

	r := deployEnv(t, c, cfg, "--progress", "json")
	mustCode(t, r, 0)
	var types []string
	workloadReady := false
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("stderr line is not JSON: %q", line)
		}
		typ, _ := e["type"].(string)
		types = append(types, typ)
		if o, _ := e["object"].(map[string]any); typ == "status-changed" && o["kind"] == "Deployment" && e["status"] == "Current" {
			workloadReady = true
		}
	}
	joined := strings.Join(types, " ")
	for _, want := range []string{"lock-acquired", "phase-started", "object-applied", "status-changed", "phase-done"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %s event in %s", want, joined)
		}
	}
	if strings.Index(joined, "lock-acquired") > strings.Index(joined, "phase-started") {
		t.Errorf("a phase started before the lock was acquired: %s", joined)
	}
	if !workloadReady {
		t.Errorf("no status-changed event saw the Deployment Current:\n%s", r.stderr)
	}

	r = deployEnv(t, c, cfg, "--progress", "fancy")
	mustCode(t, r, 2)
	mustContain(t, "stderr", r.stderr, `--progress "fancy"`)
}
