package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/validate"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

var yesFlag = &ucli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation"}

// stdinTerminal reports whether the command's standard input is a terminal.
func stdinTerminal(s streams) bool {
	f, ok := s.in.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

func production(env *config.Environment) bool {
	return env != nil && validate.IsProduction(env.Name, env.Production)
}

// confirmByName asks, at a terminal, that the user type the environment's
// name to go on; elsewhere it refuses, saying to pass --yes.
func confirmByName(s streams, env, what string) error {
	if !stdinTerminal(s) {
		return usagef("%s: standard input is not a terminal, so kship cannot ask; pass --yes to %s", env, what)
	}
	fmt.Fprintf(s.err, "Type %q to %s: ", env, what)
	line, _ := bufio.NewReader(s.in).ReadString('\n')
	if strings.TrimSpace(line) != env {
		return usagef("%s: not confirmed; nothing was done", env)
	}
	return nil
}
