package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kship/kship/pkg/config"
	ucli "github.com/urfave/cli/v2"
)

func envsCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "envs",
		Usage:  "list the environments kship.yaml defines",
		Flags:  []ucli.Flag{outputFlag(formatText, formatJSON)},
		Action: action(parseEnvs),
	}
}

// envsCmd is `kship envs`.
type envsCmd struct {
	sel    selection
	format format
}

func parseEnvs(c *ucli.Context) (*envsCmd, error) {
	return &envsCmd{sel: selectionOf(c), format: formatOf(c)}, nil
}

func (e *envsCmd) run(_ context.Context, s streams) error {
	cfg, err := e.sel.loadConfig(true)
	if err != nil {
		return err
	}
	envs := make([]config.Environment, 0, len(cfg.Environments))
	for _, n := range cfg.Names() {
		env := *cfg.Environments[n]
		env.Overlay = cfg.Rel(env.Overlay)
		envs = append(envs, env)
	}
	return render(s.out, e.format, renderers{
		formatJSON: jsonOf(envs),
		formatText: func(w io.Writer) error { return printEnvs(w, envs) },
	})
}

func printEnvs(out io.Writer, envs []config.Environment) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ENVIRONMENT\tOVERLAY\tCONTEXT\tNAMESPACE\tBRANCHES")
	for _, e := range envs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Overlay, contexts(e), dash(e.Namespace), dash(strings.Join(e.Branches, ",")))
	}
	return w.Flush()
}

// contexts is an environment's context, or CLUSTER=CONTEXT for each of
// its clusters.
func contexts(e config.Environment) string {
	if !e.MultiCluster() {
		return e.Context
	}
	var out []string
	for _, c := range e.Clusters {
		out = append(out, c.Name+"="+c.Context)
	}
	return strings.Join(out, ",")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
