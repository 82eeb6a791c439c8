package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	ucli "github.com/urfave/cli/v2"
)

func logsCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "logs",
		Usage:     "the logs of the environment's pods, every line prefixed with its pod and container",
		ArgsUsage: "ENV [WORKLOAD]",
		Description: `Reads the logs of the pods of every workload kship deployed to ENV, or of
WORKLOAD (a name, or KIND/NAME), each line prefixed with pod/POD CONTAINER,
coloured per pod at a terminal. With -f it follows them, and the pods that
appear later (a rollout's), and says when a pod goes away. The kube context
must be the environment's.

Examples:
   kship logs stage
   kship logs stage api -f --since 10m
   kship logs prod api -c migrate --previous`,
		Flags: append(clusterFlags(),
			&ucli.StringFlag{Name: "container", Aliases: []string{"c"}, Usage: "only this container of each pod"},
			&ucli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep streaming, and follow pods that appear later"},
			&ucli.DurationFlag{Name: "since", Usage: "only lines newer than this, e.g. 10m"},
			&ucli.Int64Flag{Name: "tail", Value: -1, Usage: "only the last N lines of each container (-1: all)"},
			&ucli.BoolFlag{Name: "previous", Aliases: []string{"p"}, Usage: "the logs of each container's previous instance (before it restarted)"},
		),
		Action: action(parseLogs),
	}
}

// logsCmd is `kship logs`.
type logsCmd struct {
	sel     selection
	cluster engine.Cluster
	logs    engine.LogsOptions
}

func parseLogs(c *ucli.Context) (*logsCmd, error) {
	return &logsCmd{sel: selectionOf(c), cluster: clusterOf(c), logs: engine.LogsOptions{
		Container: c.String("container"), Follow: c.Bool("follow"), Since: c.Duration("since"),
		Tail: c.Int64("tail"), Previous: c.Bool("previous"),
	}}, nil
}

func (l *logsCmd) run(ctx context.Context, s streams) error {
	t, workloadName, err := envAndWorkload(l.sel)
	if err != nil {
		return err
	}
	opts := l.logs
	opts.Cluster, opts.Workload, opts.Out = l.cluster, workloadName, s.out
	opts.OnEvent = func(e event.Event) { logsEvent(s.err, e) }
	if isTerminal(s.out) && os.Getenv("NO_COLOR") == "" {
		opts.Prefix = colourPrefix()
	}
	if err := engine.Logs(ctx, t, opts); err != nil {
		return prefixed("logs of "+t.Name(), err)
	}
	return nil
}

// envAndWorkload reads `ENV [WORKLOAD]`.
func envAndWorkload(sel selection) (*engine.Target, string, error) {
	if len(sel.args) < 1 || len(sel.args) > 2 {
		return nil, "", usagef("give an environment (see 'kship envs'), and optionally one of its workloads")
	}
	t, err := sel.targetOf(sel.args[0])
	if err != nil {
		return nil, "", err
	}
	if t, err = sel.single(t); err != nil {
		return nil, "", err
	}
	if t.Env == nil {
		return nil, "", usagef("%s: give an environment of kship.yaml, not a directory", t.Name())
	}
	workloadName := ""
	if len(sel.args) == 2 {
		workloadName = sel.args[1]
	}
	return t, workloadName, nil
}

func logsEvent(w io.Writer, e event.Event) {
	switch e.Type {
	case event.PodFollowed:
		fmt.Fprintf(w, "kship: following pod/%s, which appeared\n", e.Pod)
	case event.PodGone:
		fmt.Fprintf(w, "kship: pod/%s went away\n", e.Pod)
	case event.LogsFailed:
		fmt.Fprintf(w, "kship: %s\n", e.Error)
	}
}

// colourPrefix colours each pod's prefix with a colour of its own, in the
// order pods are first seen.
func colourPrefix() func(pod, container string) string {
	colours := []string{"36", "33", "32", "35", "34", "31", "96", "93", "92", "95"}
	var mu sync.Mutex
	seen := map[string]string{}
	return func(pod, container string) string {
		mu.Lock()
		col, ok := seen[pod]
		if !ok {
			col = colours[len(seen)%len(colours)]
			seen[pod] = col
		}
		mu.Unlock()
		return "\x1b[" + col + "m" + engine.LogPrefix(pod, container) + "\x1b[0m"
	}
}
