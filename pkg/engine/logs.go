package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/podlogs"
	"github.com/kship/kship/pkg/workload"
	corev1 "k8s.io/api/core/v1"
)

// LogsOptions says whose logs to read, and how.
type LogsOptions struct {
	// Cluster names the kubeconfig and context; the guard checks them.
	Cluster Cluster
	// Workload names one workload of the environment ("" for all).
	Workload string
	// Container reads only that container of each pod ("" for all).
	Container string
	// Follow keeps streaming, and follows pods that appear later.
	Follow bool
	// Since, when set, reads only lines newer than this.
	Since time.Duration
	// Tail, when 0 or more, reads only the last Tail lines of each
	// container (of the pods there at the start).
	Tail int64
	// Previous reads the logs of the previous instance of each container.
	Previous bool
	// Out receives the lines, each whole and prefixed.
	Out io.Writer
	// Prefix returns what goes before each line of a pod's container
	// (default LogPrefix).
	Prefix func(pod, container string) string
	// OnEvent is told about pods that are followed (PodFollowed) or gone
	// (PodGone), and containers whose logs could not be read (LogsFailed).
	OnEvent event.Func
}

// LogPrefix is what goes before each line of a pod's container by
// default: "pod/POD CONTAINER ".
func LogPrefix(pod, container string) string { return podlogs.DefaultPrefix(pod, container) }

// streamOptions is what podlogs.Stream is given for opts.
func (opts LogsOptions) streamOptions() podlogs.Options {
	o := podlogs.Options{Container: opts.Container, Follow: opts.Follow, Since: opts.Since, Tail: opts.Tail,
		Previous: opts.Previous, Out: opts.Out, Prefix: opts.Prefix}
	if opts.OnEvent != nil {
		types := map[podlogs.EventType]event.Type{podlogs.PodFollowed: event.PodFollowed, podlogs.PodGone: event.PodGone, podlogs.StreamFailed: event.LogsFailed}
		o.OnEvent = func(e podlogs.Event) {
			out := event.Event{Type: types[e.Type], Pod: e.Pod, Container: e.Container}
			if e.Err != nil {
				out.Error = e.Err.Error()
			}
			opts.OnEvent(out)
		}
	}
	return o
}

// Logs writes the logs of the pods of t's environment's workloads (those
// its inventory records), or of the one LogsOptions.Workload names. An
// unknown workload's error names the ones there are.
func Logs(ctx context.Context, t *Target, opts LogsOptions) error {
	r := &runner{opts: Options{Cluster: opts.Cluster}, target: t}
	if err := r.connectEnv(ctx); err != nil {
		return err
	}
	ws, err := r.workloads(ctx, opts.Workload)
	if err != nil {
		return err
	}
	match := func(p *corev1.Pod) bool { return workload.Matches(ws, p) }
	if !opts.Follow {
		pods, err := workload.Pods(ctx, r.client.Typed, ws)
		if err != nil {
			return &ClusterError{Err: err}
		}
		if len(pods) == 0 {
			return &ClusterError{Err: fmt.Errorf("%s: no pods: %w", t.Name(), &workload.NoReadyPodError{Workloads: refNames(ws)})}
		}
		if err := checkContainer(pods, opts.Container); err != nil {
			return err
		}
	}
	if err := podlogs.Stream(ctx, r.client.Typed, workload.Namespaces(ws), match, opts.streamOptions()); err != nil {
		return &ClusterError{Err: err}
	}
	return nil
}

// workloads finds the environment's workloads named name ("" for all).
func (r *runner) workloads(ctx context.Context, name string) ([]workload.Workload, error) {
	state, err := r.inv.Load(ctx)
	if err != nil {
		return nil, &ClusterError{Err: err}
	}
	members, _, err := r.inv.Members(ctx, state)
	if err != nil {
		return nil, &ClusterError{Err: err}
	}
	ws, err := workload.Find(ctx, r.client.Typed, r.env, members, name)
	var unknown *workload.UnknownError
	if errors.As(err, &unknown) {
		return nil, &OptionError{Err: err}
	}
	if err != nil {
		return nil, &ClusterError{Err: err}
	}
	if len(ws) == 0 {
		return nil, &ClusterError{Err: fmt.Errorf("%s: kship manages no workload there (deploy it first)", r.env)}
	}
	return ws, nil
}

// checkContainer refuses a container that no pod has, naming those there are.
func checkContainer(pods []corev1.Pod, container string) error {
	if container == "" {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, p := range pods {
		for _, c := range p.Spec.Containers {
			if c.Name == container {
				return nil
			}
			if !seen[c.Name] {
				seen[c.Name] = true
				names = append(names, c.Name)
			}
		}
	}
	return &OptionError{Err: fmt.Errorf("-c %s: no pod has a container of that name; the containers are %v", container, names)}
}

func refNames(ws []workload.Workload) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Ref.String()
	}
	return out
}
