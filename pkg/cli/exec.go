package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/kship/kship/pkg/engine"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func execCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "exec",
		Usage:     "run a command (default: a shell) in a ready pod of one of the environment's workloads",
		ArgsUsage: "ENV [WORKLOAD] [-- COMMAND [ARG...]]",
		Description: `Runs COMMAND (default /bin/sh) in one ready pod of WORKLOAD (a name, or
KIND/NAME; it may be left out when the environment has one Deployment,
StatefulSet or DaemonSet), chosen as 'kubectl exec deploy/NAME' chooses it: the
pod ready the longest. It says which pod it chose. At a terminal, the command
gets a terminal and the keyboard; elsewhere, only its output comes back.
In a production environment it asks first, and refuses without --yes where it
cannot ask. The kube context must be the environment's. The exit code is the
command's.

Examples:
   kship exec stage
   kship exec stage api -- bin/rails console
   kship exec prod api --yes -- env`,
		Flags: append(clusterFlags(), yesFlag,
			&ucli.StringFlag{Name: "container", Aliases: []string{"c"}, Usage: "the container to run in (default: the pod's default container, else its first)"}),
		Action: action(parseExec),
	}
}

// execCmd is `kship exec`.
type execCmd struct {
	sel       selection
	cluster   engine.Cluster
	container string
	yes       bool
}

func parseExec(c *ucli.Context) (*execCmd, error) {
	return &execCmd{sel: selectionOf(c), cluster: clusterOf(c), container: c.String("container"), yes: c.Bool("yes")}, nil
}

func (x *execCmd) run(ctx context.Context, s streams) error {
	args := x.sel.args
	var command []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, command = args[:i], args[i+1:]
	}
	if len(args) < 1 || len(args) > 2 {
		return usagef("give an environment, optionally one of its workloads, and the command after --: kship exec ENV [WORKLOAD] [-- COMMAND...]")
	}
	t, err := x.sel.targetOf(args[0])
	if err != nil {
		return err
	}
	if t, err = x.sel.single(t); err != nil {
		return err
	}
	if t.Env == nil {
		return usagef("%s: give an environment of kship.yaml, not a directory", t.Name())
	}
	if len(command) == 0 {
		command = []string{"/bin/sh"}
	}
	atTerminal := stdinTerminal(s)
	if production(t.Env) && !x.yes && !atTerminal {
		return usagef("%s is a production environment: pass --yes to run a command in it (kship cannot ask: standard input is not a terminal)", t.Name())
	}
	opts := engine.ExecOptions{Cluster: x.cluster, Workload: workloadArg(args),
		Container: x.container, Command: command, Stdout: s.out, Stderr: s.err}
	opts.Chosen = func(ch engine.Chosen) error {
		fmt.Fprintf(s.err, "kship: running %s in pod/%s, container %s (%s, %d ready)\n",
			strings.Join(command, " "), ch.Pod, ch.Container, ch.Workload, ch.Ready)
		if production(t.Env) && !x.yes {
			return confirmByName(s, t.Name(), "run it in this production environment")
		}
		return nil
	}
	if atTerminal && isTerminal(s.out) {
		restore, err := rawTerminal(s, &opts)
		if err != nil {
			return err
		}
		defer restore()
	}
	if err := engine.Exec(ctx, t, opts); err != nil {
		return prefixed("exec in "+t.Name(), err)
	}
	return nil
}

func workloadArg(args []string) string {
	if len(args) == 2 {
		return args[1]
	}
	return ""
}

// rawTerminal gives the command the keyboard and a terminal of this one's
// size, following its resizes; raw mode starts when the command reads, so
// that a confirmation before it reads a line as usual.
func rawTerminal(s streams, o *engine.ExecOptions) (func(), error) {
	in, out := s.in.(*os.File), s.out.(*os.File)
	raw, sizes := &rawOnRead{f: in}, newSizeQueue(out)
	o.TTY, o.Stdin, o.Resize = true, raw, sizes.Next
	return func() {
		sizes.stop()
		raw.restore()
	}, nil
}

// rawOnRead puts the terminal in raw mode when the command first reads the
// keyboard, so that a confirmation before it reads a line as usual.
type rawOnRead struct {
	f     *os.File
	state *term.State
}

func (r *rawOnRead) Read(p []byte) (int, error) {
	if r.state == nil {
		s, err := term.MakeRaw(int(r.f.Fd()))
		if err != nil {
			return 0, err
		}
		r.state = s
	}
	return r.f.Read(p)
}

func (r *rawOnRead) restore() {
	if r.state != nil {
		_ = term.Restore(int(r.f.Fd()), r.state)
	}
}

var _ io.Reader = (*rawOnRead)(nil)
