package engine

import (
	"fmt"
	"os"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/secrets"
)

// withEnvKubeconfig is opts with t's environment's own kubeconfig
// (kship.yaml's kubeconfig:), decrypted in memory when it is
// SOPS-encrypted, unless opts already names a kubeconfig: --kubeconfig
// overrides it, and $KUBECONFIG does not, as the file is for that
// environment only.
func withEnvKubeconfig(t *Target, opts kube.Options) (kube.Options, error) {
	if opts.Kubeconfig != "" || opts.KubeconfigData != nil || t == nil || t.Env == nil || t.Env.Kubeconfig == "" {
		return opts, nil
	}
	path, where := t.Env.Kubeconfig, "kship.yaml"
	if t.Config != nil {
		where = t.Config.Path
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return opts, fmt.Errorf("environment %q: kubeconfig: %w: fix 'kubeconfig' in %s, or pass --kubeconfig", t.Env.Name, err, where)
	}
	plain, err := secrets.New(secrets.Options{}).Decode(path, data)
	if err != nil {
		return opts, fmt.Errorf("environment %q: kubeconfig: %w", t.Env.Name, err)
	}
	opts.KubeconfigData = plain
	return opts, nil
}
