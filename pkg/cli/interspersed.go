package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// interspersed rewrites args into the order urfave/cli v2 reads, so that
// flags work where users type them. urfave/cli v2 stops reading flags at the
// first positional argument, and reads a global flag only before the command
// name. So a command's positional arguments move after its flags
// (`kship build stage --image api=r/api:v2`), and a global flag after the
// command name moves before it (`kship deploy stage --config ci/kship.yaml`).
// A "--" ends the flags as usual; "-h" or "--help" anywhere asks for the
// command's help.
func interspersed(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	i := 1
	// Global flags, up to the command name.
	for i < len(args) && isFlag(args[i]) {
		i += flagWidth(app.Flags, args, i)
	}
	if i >= len(args) || app.Command(args[i]) == nil {
		return args // no command, or one urfave/cli will refuse
	}
	global := append([]string(nil), args[1:i]...)
	name, cmd := args[i], app.Command(args[i])
	i++
	var flags, positional []string
	for i < len(args) {
		switch a := args[i]; {
		case a == "-h" || a == "--help":
			// Help is the same wherever it stands, and needs no positional
			// argument.
			return joinArgs(args[0], global, name, append(flags, a), nil)
		case a == "--":
			if passesDashes[name] {
				positional = append(positional, a) // it ends ENV [WORKLOAD]; a command follows
			}
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case isGlobalFlag(app, cmd, a):
			w := flagWidth(app.Flags, args, i)
			if i+w > len(args) {
				// A global flag that lacks its value: moved before the
				// command name it would take the name as its value, so end
				// the arguments with it and let urfave/cli say that it
				// needs one.
				return append(append([]string{args[0]}, global...), a)
			}
			global = append(global, args[i:i+w]...)
			i += w
		case isFlag(a):
			w := flagWidth(cmd.Flags, args, i)
			flags = append(flags, args[i:min(i+w, len(args))]...)
			i += w
		default:
			positional = append(positional, a)
			i++
		}
	}
	return joinArgs(args[0], global, name, flags, positional)
}

// passesDashes are the commands whose arguments keep the "--" the user
// typed, as it separates theirs from a command they run.
var passesDashes = map[string]bool{"exec": true}

// joinArgs is the program, the global flags, the command name, its flags
// and, after a "--", its positional arguments.
func joinArgs(prog string, global []string, name string, flags, positional []string) []string {
	out := append([]string{prog}, global...)
	out = append(out, name)
	out = append(out, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}

// isGlobalFlag reports whether the flag at a is one of app's own flags (not
// urfave/cli's help or version) that cmd does not define itself; a command's
// flag of the same name wins where the command is named.
func isGlobalFlag(app *ucli.App, cmd *ucli.Command, a string) bool {
	if !isFlag(a) {
		return false
	}
	name := flagName(a)
	return hasFlag(app.Flags, name) && !hasFlag(cmd.Flags, name) &&
		!hasFlag([]ucli.Flag{ucli.HelpFlag, ucli.VersionFlag, ucli.BashCompletionFlag}, name)
}

func hasFlag(flags []ucli.Flag, name string) bool {
	for _, f := range flags {
		if f == nil {
			continue
		}
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' && a != "--" }

// flagName is the name of the flag at a: "config" for "--config=x".
func flagName(a string) string {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return name
}

// flagWidth is how many arguments the flag at args[i] takes up: 2 when it
// takes a value that is not joined with "=", else 1.
func flagWidth(flags []ucli.Flag, args []string, i int) int {
	if strings.Contains(args[i], "=") {
		return 1
	}
	name := flagName(args[i])
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
