// Package podexec runs a command in a container of a pod through the API
// server, as `kubectl exec` does: over WebSocket, or SPDY when the server
// cannot upgrade to it, with a terminal when asked. It does not choose the
// pod, nor put the local terminal in raw mode: its caller does.
package podexec

import (
	"context"
	"errors"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// Options says what to run and with which streams.
type Options struct {
	Namespace, Pod, Container string
	Command                   []string
	// Stdin, when set, is sent to the command.
	Stdin io.Reader
	// Stdout and Stderr receive its output; with TTY, Stdout receives both.
	Stdout, Stderr io.Writer
	// TTY allocates a terminal for the command.
	TTY bool
	// Resize, when set with TTY, tells the command the terminal's size.
	Resize remotecommand.TerminalSizeQueue
}

// ExitError says the command ran and exited with a non-zero code.
type ExitError struct {
	Pod, Container string
	Code           int
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("pod/%s %s: the command exited with code %d", e.Pod, e.Container, e.Code)
}

// ExitCode is the command's.
func (e *ExitError) ExitCode() int { return e.Code }

// Run runs the command and waits for it to end. A command that exits
// non-zero returns an *ExitError.
func Run(ctx context.Context, cfg *rest.Config, cs kubernetes.Interface, o Options) error {
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(o.Namespace).Name(o.Pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: o.Container, Command: o.Command,
			Stdin: o.Stdin != nil, Stdout: o.Stdout != nil, Stderr: o.Stderr != nil && !o.TTY, TTY: o.TTY,
		}, scheme.ParameterCodec)
	spdy, err := remotecommand.NewSPDYExecutor(cfg, "POST", req.URL())
	if err != nil {
		return err
	}
	ws, err := remotecommand.NewWebSocketExecutor(cfg, "GET", req.URL().String())
	if err != nil {
		return err
	}
	exec, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return err
	}
	so := remotecommand.StreamOptions{Stdin: o.Stdin, Stdout: o.Stdout, Tty: o.TTY}
	if !o.TTY {
		so.Stderr = o.Stderr
	} else if o.Resize != nil {
		so.TerminalSizeQueue = o.Resize
	}
	err = exec.StreamWithContext(ctx, so)
	var code utilexec.ExitError
	if errors.As(err, &code) && code.Exited() {
		return &ExitError{Pod: o.Pod, Container: o.Container, Code: code.ExitStatus()}
	}
	if err != nil {
		return fmt.Errorf("pod/%s %s: exec: %w", o.Pod, o.Container, err)
	}
	return nil
}
