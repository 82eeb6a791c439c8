package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
)

// Version is kship's version, set at link time with
// -ldflags "-X github.com/kship/kship/pkg/cli.Version=...".
var Version = "dev"

// Run runs kship with args (args[0] is the program name) and returns the
// process exit code. Manifests named "-" are read from stdin; results go to
// stdout, progress and errors to stderr.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	quietClientGo()
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, interspersed(app, args))
	if err != nil {
		fmt.Fprintf(stderr, "kship: %v\n", err)
	}
	return exitcode.Of(err)
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *ucli.App {
	app := &ucli.App{
		Name:      "kship",
		Usage:     "build, check, apply and roll out a kustomize tree, and say what happened",
		Version:   Version,
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		// Only main exits: errors come back from RunContext instead.
		ExitErrHandler:       func(*ucli.Context, error) {},
		EnableBashCompletion: true,
		Flags: []ucli.Flag{
			&ucli.StringFlag{
				Name:    "config",
				Usage:   "path to kship.yaml (default: kship.yaml in this directory or a parent, up to the repository root)",
				EnvVars: []string{"KSHIP_CONFIG"},
			},
		},
		Commands: []*ucli.Command{
			buildCommand(),
			deployCommand(),
			diffCommand(),
			rollbackCommand(),
			statusCommand(),
			unlockCommand(),
			envsCommand(),
			validateCommand(),
			initCommand(),
			deleteCommand(),
			logsCommand(),
			execCommand(),
		},
		OnUsageError: usageError,
	}
	for _, c := range app.Commands {
		c.OnUsageError = usageError
	}
	return app
}

func usageError(_ *ucli.Context, err error, _ bool) error {
	return exitcode.Wrap(exitcode.Usage, err)
}

// usagef returns a usage error (exit code 2).
func usagef(format string, a ...any) error {
	return exitcode.Wrap(exitcode.Usage, fmt.Errorf(format, a...))
}
