package cli

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/guard"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
	ucli "github.com/urfave/cli/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// connect checks that the kube context is t's, connects, and checks the
// cluster's pinned identity; all before any write.
func connect(c *ucli.Context, t *target) (*kube.Client, error) {
	kopts := kube.Options{Kubeconfig: c.String("kubeconfig"), Context: c.String("context")}
	if err := guard.Context(t.Env, kopts); err != nil {
		return nil, exitcode.Wrap(exitcode.Apply, err)
	}
	client, err := kube.New(kopts)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Apply, err)
	}
	if err := guard.Cluster(c.Context, t.Env, client); err != nil {
		return nil, exitcode.Wrap(exitcode.Apply, err)
	}
	return client, nil
}

// invTarget is where an environment's inventory and lock live.
type invTarget struct {
	name, namespace string
}

var notLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// inventoryOf names t's inventory: its environment and namespace, or, for a
// bare directory (or an environment without a namespace), the directory's
// name and the build's first namespace, else the kube context's. The build
// comes first so that the inventory and lock stay with the objects whoever
// deploys them, whatever namespace their context names.
func inventoryOf(t *target, objs []*unstructured.Unstructured, client *kube.Client) (invTarget, error) {
	if t.Env != nil && t.Env.Namespace != "" {
		return invTarget{t.Env.Name, t.Env.Namespace}, nil
	}
	name := strings.Trim(notLabel.ReplaceAllString(strings.ToLower(filepath.Base(t.Dir)), "-"), "-")
	if t.Env != nil {
		name = t.Env.Name
	}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" {
			return invTarget{name, ns}, nil
		}
	}
	if client != nil && client.Namespace != "" {
		return invTarget{name, client.Namespace}, nil
	}
	return invTarget{}, fmt.Errorf("%s: kship keeps its inventory and deploy lock in the environment's namespace, and none is known: set 'namespace' in kship.yaml, in the overlay, or in the kube context", t.Name())
}

// defaultNamespace is the namespace given to objects that name none: the
// environment's, else, as kubectl does, the kube context's, else the
// inventory's.
func defaultNamespace(t *target, inv invTarget, client *kube.Client) string {
	switch {
	case t.Env != nil && t.Env.Namespace != "":
		return t.Env.Namespace
	case client != nil && client.Namespace != "":
		return client.Namespace
	}
	return inv.namespace
}

func lockFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.DurationFlag{Name: "lock-timeout", Value: 5 * time.Minute, Usage: "wait this long for another deploy of the environment to finish"},
		&ucli.StringFlag{Name: "lock-holder", Usage: "who holds the deploy lock (default: $CIRCLE_BUILD_URL, or user@host)"},
		&ucli.DurationFlag{Name: "lock-ttl", Value: lock.DefaultTTL, Usage: "how long the lock outlives a deploy that was killed (it is renewed while the deploy runs)"},
	}
}

func lockOptions(c *ucli.Context, p progress) lock.Options {
	return lock.Options{
		Holder: c.String("lock-holder"),
		Wait:   c.Duration("lock-timeout"),
		TTL:    c.Duration("lock-ttl"),
		OnWait: func(i lock.Info) {
			p.Note(fmt.Sprintf("waiting for the deploy lock, held by %s since %s", i.Holder, i.Acquired.Format(time.RFC3339)))
		},
	}
}
