package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kship/kship/pkg/exitcode"
)

// imagesTree is the corpus of tricky image trees; see its README.
const imagesTree = "../../testdata/images/"

const debugDigest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

// TestImageOverrideMustMatch runs `kship build` with overrides that the top
// kustomization's images transformer would, or would not, apply: exit 2
// for the ones that match nothing, with the build's image names and a hint.
func TestImageOverrideMustMatch(t *testing.T) {
	tests := []struct {
		name   string
		dir    string
		images []string
		extra  []string
		code   int
		stdout []string // substrings of the build when it succeeds
		stderr []string
	}{
		{name: "renamed in a lower overlay", dir: "top", images: []string{"api=registry.example/shop/api:2.0"}, code: exitcode.Usage,
			stderr: []string{`--image "api=registry.example/shop/api:2.0" matches no image of the build`, `did you mean "registry.example/shop/api"`, "--allow-unused-image"}},
		{name: "the name the lower overlay gives", dir: "top", images: []string{"registry.example/shop/api:2.0"}, stdout: []string{"image: registry.example/shop/api:2.0\n"}},
		{name: "typo", dir: "top", images: []string{"reportr=registry.example/reporter:3"}, code: exitcode.Usage,
			stderr: []string{`--image "reportr=registry.example/reporter:3" matches no image`, `did you mean "reporter"`}},
		{name: "only in a CronJob", dir: "top", images: []string{"reporter=registry.example/reporter:3"}, stdout: []string{"image: registry.example/reporter:3\n"}},
		{name: "only in an init container", dir: "top", images: []string{"migrate:2"}, stdout: []string{"image: migrate:2\n"}},
		{name: "value already the same", dir: "top", images: []string{"reporter:2.0"}, stdout: []string{"image: reporter:2.0\n"}},
		{name: "renamed to what it already is", dir: "top", images: []string{"registry.example/shop/api=registry.example/shop/api:1.0"}, stdout: []string{"image: registry.example/shop/api:1.0\n"}},
		{name: "star on the top's own entry", dir: "top", images: []string{"cache=*:8"}},
		{name: "star on nothing", dir: "top", images: []string{"apx=*:v2"}, code: exitcode.Usage, stderr: []string{`--image "apx=*:v2" matches no image`}},
		{name: "star alone keeps nothing", dir: "top", images: []string{"reporter=*"}, code: exitcode.Usage, stderr: []string{`--image "reporter=*" changes nothing`}},
		{name: "registry with port, tag and digest", dir: "top", images: []string{"registry.example:5000/tools/debug@" + debugDigest},
			stdout: []string{"image: registry.example:5000/tools/debug@" + debugDigest + "\n"}},
		{name: "image volume", dir: "top", images: []string{"models:4"}, stdout: []string{"reference: models:4\n"}},
		{name: "custom image field from configurations", dir: "top", images: []string{"gadget=registry.example/gadget:4"}, stdout: []string{"image: registry.example/gadget:4\n"}},
		{name: "set by the top's patch", dir: "top", images: []string{"envoy:1.30"}, stdout: []string{"image: envoy:1.30\n"}},
		{name: "patched away by the top", dir: "top", images: []string{"sidecar:1.1"}, code: exitcode.Usage, stderr: []string{`--image "sidecar:1.1" matches no image`}},
		{name: "trailing newline", dir: "top", images: []string{"migrate:2\n"}, code: exitcode.Usage, stderr: []string{`--image "migrate:2\n": '\n' at byte 9`}},
		{name: "space after a comma", dir: "top", images: []string{"migrate:2, reporter:3"}, code: exitcode.Usage, stderr: []string{`--image " reporter:3": ' ' at byte 0`}},
		{name: "empty right side", dir: "top", images: []string{"migrate="}, code: exitcode.Usage, stderr: []string{`--image "migrate=": nothing after '='`}},
		{name: "allowed", dir: "top", images: []string{"apx=registry.example/apx:1"}, extra: []string{"--allow-unused-image"}, stdout: []string{"image: envoy:1.29\n"}},
		{name: "several, two unused", dir: "top", images: []string{"nope:1", "migrate:2", "nada:2"}, code: exitcode.Usage,
			stderr: []string{`--image "nope:1" matches no image`, `--image "nada:2" matches no image`}},
		{name: "overwritten by a replacement after", dir: "replaced", images: []string{"sidecar:1.5"}, stdout: []string{"image: envoy:1.30\n"}},
		{name: "copied by a replacement into a hashed ConfigMap", dir: "replaced", images: []string{"registry.example/shop/api:3.0"}, stdout: []string{"IMAGE: registry.example/shop/api:3.0\n"}},
		{name: "re-tagged by a later entry", dir: "chained", images: []string{"busybox=registry.example/mirror/busybox:1.37"}, stdout: []string{"image: registry.example/mirror/busybox:1.36.1-pinned\n"}},
		{name: "typo before a later entry", dir: "chained", images: []string{"busyboxx=registry.example/mirror/busybox:1.37"}, code: exitcode.Usage, stderr: []string{`"busyboxx=registry.example/mirror/busybox:1.37" matches no image`}},
		{name: "re-tagged by transformers", dir: "transformed", images: []string{"reporter:2.1"}, stdout: []string{"image: reporter:2.0-hotfix\n"}},
		{name: "typo before transformers", dir: "transformed", images: []string{"reportr:2.1"}, code: exitcode.Usage, stderr: []string{`"reportr:2.1" matches no image`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"build", imagesTree + tt.dir}
			for _, img := range tt.images {
				args = append(args, "--image", img)
			}
			r := run(t, append(args, tt.extra...)...)
			if r.code != tt.code {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			if tt.code != 0 && r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			mustContain(t, "stdout", r.stdout, tt.stdout...)
			mustContain(t, "stderr", r.stderr, tt.stderr...)
		})
	}
}

// TestImageOverrideEveryCommand checks that every command taking --image
// refuses an override that matches nothing, with exit 2, before it
// validates or connects to anything (the kubeconfig does not exist).
func TestImageOverrideEveryCommand(t *testing.T) {
	dir := imagesTree + "top"
	noKube := []string{"--kubeconfig", filepath.Join(t.TempDir(), "missing")}
	for _, args := range [][]string{
		{"build", dir},
		{"validate", dir},
		append([]string{"deploy", dir}, noKube...),
		append([]string{"diff", dir}, noKube...),
	} {
		t.Run(args[0], func(t *testing.T) {
			r := run(t, append(args, "--image", "apx=registry.example/apx:1")...)
			if r.code != exitcode.Usage {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", r.code, exitcode.Usage, r.stderr)
			}
			mustContain(t, "stderr", r.stderr, `--image "apx=registry.example/apx:1" matches no image`)
			if strings.Contains(r.stderr, "missing") {
				t.Errorf("stderr names the kubeconfig: it connected first:\n%s", r.stderr)
			}
		})
	}
}

// TestImageOverrideDiffBase: with --base, an override must match an image
// at one side at least: a service the branch adds has none at the base.
func TestImageOverrideDiffBase(t *testing.T) {
	t.Setenv("CI", "")
	dir := t.TempDir()
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s}\nspec:\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s}}\n    spec: {containers: [{name: main, image: \"%s\"}]}\n"
	writeFile(t, dir, "app/web.yaml", strings.ReplaceAll(deploy, "%s", "web"))
	writeFile(t, dir, "app/kustomization.yaml", "resources: [web.yaml]\n")
	cfg := writeFile(t, dir, "kship.yaml", "environments:\n  test: {overlay: app, context: test}\n")
	gitRepo(t, dir, "init", "-q")
	gitRepo(t, dir, "add", "-A")
	gitRepo(t, dir, "commit", "-q", "-m", "base")
	gitRepo(t, dir, "checkout", "-q", "-b", "feature")
	writeFile(t, dir, "app/worker.yaml", strings.ReplaceAll(deploy, "%s", "worker"))
	writeFile(t, dir, "app/kustomization.yaml", "resources: [web.yaml, worker.yaml]\n")

	for _, args := range [][]string{{"test"}, {"--all"}} {
		base := append([]string{"--config", cfg, "diff", "--base", "main"}, args...)
		r := run(t, append(base, "--image", "worker=registry.example/worker:2")...)
		if r.code != exitcode.Changes {
			t.Errorf("%v: exit code = %d, want %d; stderr:\n%s", args, r.code, exitcode.Changes, r.stderr)
		}
		r = run(t, append(base, "--image", "wrker=registry.example/worker:2")...)
		if r.code != exitcode.Usage {
			t.Errorf("%v: exit code = %d, want %d; stderr:\n%s", args, r.code, exitcode.Usage, r.stderr)
		}
		mustContain(t, "stderr", r.stderr, `--image "wrker=registry.example/worker:2" matches no image`, `did you mean "worker"`)
		if r.stdout != "" {
			t.Errorf("%v: stdout = %q, want nothing", args, r.stdout)
		}
	}
}

// TestImageOverrideValidateSeveral: validating several targets, an override
// must match in one of them: sidecar is patched away in top only.
func TestImageOverrideValidateSeveral(t *testing.T) {
	args := []string{"validate", imagesTree + "top", imagesTree + "replaced", "--image"}
	r := run(t, append(args, "sidecar:1.5")...)
	if r.code != exitcode.OK {
		t.Errorf("exit code = %d, want 0; stderr:\n%s", r.code, r.stderr)
	}
	r = run(t, append(args, "nope:1")...)
	if r.code != exitcode.Usage {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", r.code, exitcode.Usage, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, `--image "nope:1" matches no image`)
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing: the report comes after the check", r.stdout)
	}
}
