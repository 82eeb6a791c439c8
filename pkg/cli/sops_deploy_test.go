package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/kship/kship/internal/sopstest"
	"github.com/kship/kship/internal/testcluster"
)

// TestSopsKubeconfigDeploy deploys encrypted Secrets and generator sources
// with the environment's encrypted kubeconfig, which $KUBECONFIG does not
// override; no output shows a decrypted value, and a diff afterwards finds
// the cluster holding the plaintext.
func TestSopsKubeconfigDeploy(t *testing.T) {
	c := testcluster.Require(t)
	ns := c.Namespace(t)
	id := sopstest.NewKey(t)
	r := id.Recipient().String()
	dir := t.TempDir()
	sopsTree(t, dir, r, sopsOldPassword)
	writeFile(t, dir, "app/kustomization.yaml", "namespace: "+ns+"\nresources: [secret.yaml]\nconfigMapGenerator: [{name: settings, envs: [settings.env]}]\n")
	kc, err := os.ReadFile(c.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "kubeconfig/test.kubeconfig.enc", string(sopstest.Encrypt(t, kc, formats.Binary, sopstest.Options{}, r)))
	cfg := envConfig(t, dir, "app", c.Context(), ns, "kubeconfig: kubeconfig/test.kubeconfig.enc")
	t.Setenv("KUBECONFIG", filepath.Join(dir, "no-such-kubeconfig"))

	sopstest.NoKeys(t)
	// Without a key the build fails first; a command that does not build
	// fails at the kubeconfig, and neither gets any further.
	res := run(t, "--config", cfg, "deploy", "test", "--timeout", "60s")
	wantCode(t, res, 3)
	mustContain(t, "deploy without a key", res.stderr, "secret.yaml: cannot decrypt", "age "+r)
	res = run(t, "--config", cfg, "status", "test")
	wantCode(t, res, 4)
	mustContain(t, "status without a key", res.stderr, "test.kubeconfig.enc: cannot decrypt", "age "+r)

	sopstest.UseKey(t, id)
	junit := filepath.Join(dir, "kship.xml")
	for _, format := range []string{"text", "json"} {
		res = run(t, "--config", cfg, "deploy", "test", "--timeout", "60s", "-o", format, "--progress", "json", "--report", "junit="+junit)
		wantCode(t, res, 0)
		mustNotShowSops(t, "deploy -o "+format+" --progress json", res.stdout+res.stderr)
		report, err := os.ReadFile(junit)
		if err != nil {
			t.Fatal(err)
		}
		mustNotShowSops(t, "deploy's JUnit report", string(report))
	}
	for _, args := range [][]string{{"status", "test"}, {"status", "test", "-o", "json"}, {"rollback", "test", "--timeout", "60s"}} {
		res = run(t, append([]string{"--config", cfg}, args...)...)
		wantCode(t, res, 0)
		mustNotShowSops(t, strings.Join(args, " "), res.stdout+res.stderr)
	}
	// --kubeconfig overrides kship.yaml's, even when it names $KUBECONFIG.
	res = run(t, "--config", cfg, "status", "test", "--kubeconfig", os.Getenv("KUBECONFIG"))
	wantCode(t, res, 4)
	mustContain(t, "status --kubeconfig $KUBECONFIG", res.stderr, "no-such-kubeconfig")
	res = run(t, "--config", cfg, "diff", "test")
	wantCode(t, res, 0)
	mustNotShowSops(t, "diff", res.stdout+res.stderr)
	// Without decrypting, the server's dry run stores the placeholder of
	// the Secret's stringData base64-encoded in data: still not a change.
	// The ConfigMap generated from the encrypted env gets its name's hash
	// from the placeholder, and the rename says it may not be real.
	res = run(t, "--config", cfg, "diff", "test", "--no-decrypt")
	wantCode(t, res, 1)
	mustContain(t, "diff --no-decrypt", res.stderr, "are not compared")
	mustContain(t, "diff --no-decrypt", res.stdout, "renamed", "built without their key", "1 unchanged")
	if strings.Contains(res.stdout, "Secret/") {
		t.Errorf("diff --no-decrypt reports the Secret as changed:\n%s", res.stdout)
	}
	mustNotShowSops(t, "diff --no-decrypt", res.stdout+res.stderr)

	// A changed value: the live diff masks the Secret and the ConfigMap
	// generated from the encrypted env file.
	sopsTree(t, dir, r, sopsNewPassword)
	writeFile(t, dir, "app/settings.env", string(sopstest.Encrypt(t, []byte("DSN="+sopsDSN+"-2\n"), formats.Dotenv, sopstest.Options{}, r)))
	writeFile(t, dir, "app/kustomization.yaml", "namespace: "+ns+"\nresources: [secret.yaml]\nconfigMapGenerator: [{name: settings, envs: [settings.env]}]\n")
	envConfig(t, dir, "app", c.Context(), ns, "kubeconfig: kubeconfig/test.kubeconfig.enc")
	for _, format := range []string{"text", "json", "markdown"} {
		res = run(t, "--config", cfg, "diff", "test", "-o", format)
		wantCode(t, res, 1)
		mustNotShowSops(t, "diff -o "+format, res.stdout+res.stderr)
	}
}
