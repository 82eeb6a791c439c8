package cli

import (
	"time"

	"github.com/kship/kship/pkg/engine"
	ucli "github.com/urfave/cli/v2"
)

// clusterOptions are the kubeconfig and context the flags name.
func clusterOptions(c *ucli.Context) engine.Cluster {
	return engine.Cluster{Kubeconfig: c.String("kubeconfig"), Context: c.String("context")}
}

func lockFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.DurationFlag{Name: "lock-timeout", Value: 5 * time.Minute, Usage: "wait this long for another deploy of the environment to finish"},
		&ucli.StringFlag{Name: "lock-holder", Usage: "who holds the deploy lock (default: $CIRCLE_BUILD_URL, or user@host)"},
		&ucli.DurationFlag{Name: "lock-ttl", Value: engine.DefaultLockTTL, Usage: "how long the lock outlives a deploy that was killed (it is renewed while the deploy runs)"},
	}
}
