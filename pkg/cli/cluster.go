package cli

import (
	"time"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/lock"
	ucli "github.com/urfave/cli/v2"
)

// clusterOptions are the kubeconfig and context the flags name.
func clusterOptions(c *ucli.Context) kube.Options {
	return kube.Options{Kubeconfig: c.String("kubeconfig"), Context: c.String("context")}
}

func lockFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.DurationFlag{Name: "lock-timeout", Value: 5 * time.Minute, Usage: "wait this long for another deploy of the environment to finish"},
		&ucli.StringFlag{Name: "lock-holder", Usage: "who holds the deploy lock (default: $CIRCLE_BUILD_URL, or user@host)"},
		&ucli.DurationFlag{Name: "lock-ttl", Value: lock.DefaultTTL, Usage: "how long the lock outlives a deploy that was killed (it is renewed while the deploy runs)"},
	}
}

func lockOptions(c *ucli.Context) lock.Options {
	return lock.Options{
		Holder: c.String("lock-holder"),
		Wait:   c.Duration("lock-timeout"),
		TTL:    c.Duration("lock-ttl"),
	}
}
