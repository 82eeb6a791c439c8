package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kship/kship/pkg/podexec"
	"github.com/kship/kship/pkg/workload"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/remotecommand"
)

// ExecOptions says what to run, where, and with which streams.
type ExecOptions struct {
	// Cluster names the kubeconfig and context; the guard checks them.
	Cluster Cluster
	// Workload names the workload whose pod to use; "" when the
	// environment has one Deployment, StatefulSet or DaemonSet.
	Workload string
	// Container is the container to run in ("" for the pod's default).
	Container string
	// Command is what to run.
	Command []string
	// Stdin, when set, is sent to the command.
	Stdin io.Reader
	// Stdout and Stderr receive its output; with TTY, Stdout receives both.
	Stdout, Stderr io.Writer
	// TTY allocates a terminal for the command.
	TTY bool
	// Resize, when set with TTY, returns the terminal's size: its first,
	// then each new one as it changes, blocking until then; nil once the
	// terminal is gone.
	Resize func() *TerminalSize
	// Chosen, when set, is told which pod and container Exec chose, and
	// may stop it (a confirmation) with an error, before anything runs.
	Chosen func(Chosen) error
}

// TerminalSize is the size of a terminal, in characters.
type TerminalSize struct{ Width, Height uint16 }

// Chosen is the pod a command runs in, and why.
type Chosen struct {
	Workload       string
	Pod, Container string
	// Ready is how many ready pods the workload has.
	Ready int
}

// Exec runs a command in one ready pod of a workload of t's environment,
// chosen as `kubectl exec deploy/NAME` chooses: the one ready the longest.
// A workload with no ready pod is an error that says what its pods do.
func Exec(ctx context.Context, t *Target, opts ExecOptions) error {
	r := &runner{opts: Options{Cluster: opts.Cluster}, target: t}
	if err := r.connectEnv(ctx); err != nil {
		return err
	}
	ws, err := r.workloads(ctx, opts.Workload)
	if err != nil {
		return err
	}
	if opts.Workload == "" {
		if ws, err = serving(ws, r.env); err != nil {
			return err
		}
	}
	pods, err := workload.Pods(ctx, r.client.Typed, ws)
	if err != nil {
		return &ClusterError{Err: err}
	}
	pod, err := workload.Choose(ws, pods)
	if err != nil {
		return &ClusterError{Err: err}
	}
	o := podexec.Options{Namespace: pod.Namespace, Pod: pod.Name, Command: opts.Command,
		Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr, TTY: opts.TTY}
	if opts.Resize != nil {
		o.Resize = sizeQueue(opts.Resize)
	}
	if o.Container, err = containerOf(pod, opts.Container); err != nil {
		return err
	}
	if opts.Chosen != nil {
		ready := 0
		for i := range pods {
			if _, err := workload.Choose(ws, pods[i:i+1]); err == nil {
				ready++
			}
		}
		if err := opts.Chosen(Chosen{Workload: ws[0].Ref.String(), Pod: pod.Name, Container: o.Container, Ready: ready}); err != nil {
			return err
		}
	}
	err = podexec.Run(ctx, r.client.Config, r.client.Typed, o)
	var exit *podexec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return &ClusterError{Err: err}
	}
	return err
}

// sizeQueue hands a command the terminal's sizes, as remotecommand asks.
type sizeQueue func() *TerminalSize

// Next returns the next size, nil once the terminal is gone.
func (q sizeQueue) Next() *remotecommand.TerminalSize {
	s := q()
	if s == nil {
		return nil
	}
	return &remotecommand.TerminalSize{Width: s.Width, Height: s.Height}
}

// serving keeps the workloads that serve (not Jobs); there must be one.
func serving(ws []workload.Workload, env string) ([]workload.Workload, error) {
	var out []workload.Workload
	var names []string
	for _, w := range ws {
		names = append(names, w.Ref.Kind+"/"+w.Ref.Name)
		if w.Ref.Kind != "Job" {
			out = append(out, w)
		}
	}
	if len(out) != 1 {
		return nil, &OptionError{Err: fmt.Errorf("%s has %d workloads that serve: name the one to run in (%s)", env, len(out), strings.Join(names, ", "))}
	}
	return out, nil
}

// containerOf returns the container to run in: the one asked for, else
// the pod's default (kubectl.kubernetes.io/default-container), else its first.
func containerOf(pod *corev1.Pod, asked string) (string, error) {
	var names []string
	for _, c := range pod.Spec.Containers {
		if asked != "" && c.Name == asked {
			return asked, nil
		}
		names = append(names, c.Name)
	}
	if asked != "" {
		return "", &OptionError{Err: fmt.Errorf("-c %s: pod/%s has no such container; its containers are %s", asked, pod.Name, strings.Join(names, ", "))}
	}
	if d := pod.Annotations["kubectl.kubernetes.io/default-container"]; d != "" {
		return d, nil
	}
	if len(names) == 0 {
		return "", &ClusterError{Err: errors.New("pod/" + pod.Name + " has no containers")}
	}
	return names[0], nil
}
