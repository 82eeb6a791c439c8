package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/kship/kship/pkg/config"
	ucli "github.com/urfave/cli/v2"
)

func envsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "envs",
		Usage: "list the environments kship.yaml defines",
		Flags: []ucli.Flag{outputFlag("text", "json")},
		Action: func(c *ucli.Context) error {
			cfg, err := loadConfig(c, true)
			if err != nil {
				return err
			}
			envs := make([]config.Environment, 0, len(cfg.Environments))
			for _, n := range cfg.Names() {
				e := *cfg.Environments[n]
				e.Overlay = cfg.Rel(e.Overlay)
				envs = append(envs, e)
			}
			if c.String("output") == "json" {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(envs)
			}
			return printEnvs(c, envs)
		},
	}
}

func printEnvs(c *ucli.Context, envs []config.Environment) error {
	w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ENVIRONMENT\tOVERLAY\tCONTEXT\tNAMESPACE\tBRANCHES")
	for _, e := range envs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Overlay, e.Context, dash(e.Namespace), dash(strings.Join(e.Branches, ",")))
	}
	return w.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
