package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// interspersed moves a command's positional arguments after its flags, so that
// `kship build stage --image api=r/api:v2` means what users expect. urfave/cli
// v2 stops reading flags at the first positional argument. A "--" ends the
// flags as usual.
func interspersed(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	i := 1
	// Global flags, up to the command name.
	for i < len(args) && isFlag(args[i]) {
		i += flagWidth(app.Flags, args, i)
	}
	out = append(out, args[1:min(i, len(args))]...)
	if i >= len(args) {
		return out
	}
	cmd := app.Command(args[i])
	out = append(out, args[i])
	i++
	if cmd == nil {
		return append(out, args[i:]...)
	}
	var positional []string
	for i < len(args) {
		switch a := args[i]; {
		case a == "-h" || a == "--help":
			return append(out, a) // help is the same wherever it stands
		case a == "--":
			positional = append(positional, args[i:]...)
			i = len(args)
		case isFlag(a):
			w := flagWidth(cmd.Flags, args, i)
			out = append(out, args[i:min(i+w, len(args))]...)
			i += w
		default:
			positional = append(positional, a)
			i++
		}
	}
	if len(positional) > 0 && positional[0] != "--" {
		positional = append([]string{"--"}, positional...)
	}
	return append(out, positional...)
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' && a != "--" }

// flagWidth is how many arguments the flag at args[i] takes up: 2 when it
// takes a value that is not joined with "=", else 1.
func flagWidth(flags []ucli.Flag, args []string, i int) int {
	name := strings.TrimLeft(args[i], "-")
	if strings.Contains(name, "=") {
		return 1
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if v, ok := f.(interface{ TakesValue() bool }); ok && !v.TakesValue() {
				return 1
			}
			return 2
		}
	}
	return 1
}
