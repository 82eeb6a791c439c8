package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	ucli "github.com/urfave/cli/v2"
)

// format is an -o/--output value. Every command renders its result through
// one: it lists the formats it has in its flag, and a renderer for each.
type format string

// The formats commands render to; each command has some of them.
const (
	formatText     format = "text"
	formatYAML     format = "yaml"
	formatJSON     format = "json"
	formatJUnit    format = "junit"
	formatMarkdown format = "markdown"
)

// outputFlag is -o/--output restricted to formats; the first is the default.
func outputFlag(formats ...format) ucli.Flag {
	return &ucli.StringFlag{
		Name:    "output",
		Aliases: []string{"o"},
		Value:   string(formats[0]),
		Usage:   fmt.Sprintf("output format: %v", formats),
		Action: func(_ *ucli.Context, v string) error {
			if !slices.Contains(formats, format(v)) {
				return usagef("--output %q: want one of %v", v, formats)
			}
			return nil
		},
	}
}

// formatOf is the -o the command was given (its flag admits only its own).
func formatOf(c *ucli.Context) format { return format(c.String("output")) }

// renderers are one result's renderers, by format.
type renderers map[format]func(io.Writer) error

// render writes a result in format f.
func render(w io.Writer, f format, r renderers) error {
	write, ok := r[f]
	if !ok {
		return fmt.Errorf("kship cannot write this result as %s: use -o %s", f, formatText)
	}
	return write(w)
}

// jsonOf renders v as indented JSON.
func jsonOf(v any) func(io.Writer) error {
	return func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
}
