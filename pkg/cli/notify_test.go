package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kship/kship/internal/testcluster"
)

// hookServer records what webhooks post to it, in order.
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	paths  []string
	status int
}

func newHookServer(t *testing.T, status int) *hookServer {
	h := &hookServer{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("a notification is not JSON: %q", b)
		}
		h.mu.Lock()
		h.bodies, h.paths = append(h.bodies, doc), append(h.paths, r.URL.Path)
		h.mu.Unlock()
		w.WriteHeader(h.status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) received() ([]map[string]any, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.bodies...), append([]string(nil), h.paths...)
}

// TestNotifications announces a deploy to a webhook and to Slack, in
// order: start and success; then start, failure and the rollback, the
// failure naming its root cause. The URLs come from the environment.
func TestNotifications(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	hook, chat := newHookServer(t, http.StatusOK), newHookServer(t, http.StatusOK)
	t.Setenv("TEST_DEPLOY_HOOK", hook.URL+"/hooks/T0K3N")
	t.Setenv("TEST_SLACK_URL", chat.URL+"/services/T000/B000/XXXX")
	dir := t.TempDir()
	notify := "notify:\n- webhook: {urlFrom: TEST_DEPLOY_HOOK}\n- slack: {urlFrom: TEST_SLACK_URL, on: [failure, rollback]}\n"
	writeCfg := func() string {
		return writeFile(t, dir, "kship.yaml", notify+"environments:\n  test:\n    overlay: app\n    context: "+c.Context()+"\n    namespace: "+ns+"\n")
	}
	app{Replicas: 1, NoJob: true}.write(t, dir, c.Context(), ns)
	cfg := writeCfg()
	mustCode(t, deployEnv(t, c, cfg, "--lock-holder", "ci-job-1"), 0)

	app{Replicas: 1, NoJob: true, Image: "registry.invalid/api", Tag: "v2"}.write(t, dir, c.Context(), ns)
	writeCfg()
	mustCode(t, deployEnv(t, c, cfg, "--rollback-on-failure"), 5)

	docs, _ := hook.received()
	var events []string
	for _, d := range docs {
		events = append(events, d["event"].(string))
	}
	if got := strings.Join(events, ","); got != "start,success,start,failure,rollback" {
		t.Fatalf("webhook events = %s, want start,success,start,failure,rollback", got)
	}
	ok, failed, rb := docs[1], docs[3], docs[4]
	if ok["environment"] != "test" || ok["revision"] != float64(1) || ok["by"] != "ci-job-1" || ok["durationSeconds"] == nil {
		t.Errorf("success document = %v", ok)
	}
	if imgs, _ := docs[2]["images"].([]any); len(imgs) != 1 || imgs[0] != "registry.invalid/api:v2" {
		t.Errorf("start document images = %v", docs[2]["images"])
	}
	if cause, _ := failed["cause"].(string); !strings.HasPrefix(cause, "Deployment/"+ns+"/api: ") || !strings.Contains(cause, "ErrImagePull") {
		t.Errorf("failure cause = %q, want the Deployment and ErrImagePull", cause)
	}
	if rb["rolledBackTo"] != float64(1) || rb["revision"] != float64(2) {
		t.Errorf("rollback document = %v", rb)
	}

	texts, paths := chat.received()
	if len(texts) != 2 || paths[0] != "/services/T000/B000/XXXX" {
		t.Fatalf("Slack got %d messages at %v, want the failure and the rollback", len(texts), paths)
	}
	if msg, _ := texts[0]["text"].(string); !strings.Contains(msg, "Deploy of *test* failed at revision 2") || !strings.Contains(msg, "ErrImagePull") {
		t.Errorf("Slack failure text = %q", msg)
	}
	if msg, _ := texts[1]["text"].(string); !strings.Contains(msg, "rolled back to revision 1") {
		t.Errorf("Slack rollback text = %q", msg)
	}
}

// TestUnreachableNotification leaves the deploy's result alone when a
// webhook cannot be reached, or answers an error, or its variable is not
// set: a warning each, never the URL or its token.
func TestUnreachableNotification(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	broken := newHookServer(t, http.StatusInternalServerError)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	t.Setenv("TEST_GONE_HOOK", gone.URL+"/hooks/S3CR3T?token=S3CR3T")
	t.Setenv("TEST_BROKEN_HOOK", broken.URL+"/hooks/S3CR3T")
	dir := t.TempDir()
	app{Replicas: 1, NoJob: true}.write(t, dir, c.Context(), ns)
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  test:\n    overlay: app\n    context: "+c.Context()+"\n    namespace: "+ns+
		"\n    notify:\n    - webhook: {urlFrom: TEST_GONE_HOOK, on: [success]}\n    - webhook: {urlFrom: TEST_BROKEN_HOOK, on: [success]}\n    - slack: {urlFrom: TEST_UNSET_HOOK, on: [success]}\n")
	r := deployEnv(t, c, cfg, "-o", "json")
	mustCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "notification success (webhook, to $TEST_GONE_HOOK) not delivered",
		"notification success (webhook, to $TEST_BROKEN_HOOK) not delivered: the server answered 500",
		"$TEST_UNSET_HOOK is not set")
	mustContain(t, "stdout", r.stdout, `"outcome": "ready"`)
	if strings.Contains(r.stderr+r.stdout, "S3CR3T") {
		t.Error("a webhook's token was printed")
	}
}
