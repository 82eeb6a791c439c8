package validate

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/kship/kship/pkg/object"
)

// WriteText writes reports for people: per environment a headline, then
// each file with findings about it (secrets/plaintext), and each object
// with findings, its source file, and one line per finding; last a
// summary line.
func WriteText(w io.Writer, reports []*Report) error {
	bw := bufio.NewWriter(w)
	objects, errs, warns := 0, 0, 0
	for _, r := range reports {
		objects += len(r.Objects)
		errs += r.Errors()
		warns += r.Warnings()
		fmt.Fprintf(bw, "%s: %s: %s\n", r.Environment, plural(len(r.Objects), "object"), counts(r.Errors(), r.Warnings()))
		type group struct {
			o    object.Ref
			file string
		}
		var last group
		for i, f := range r.Findings {
			if g := (group{f.Object, f.file()}); i == 0 || g != last {
				last = g
				if g.file != "" {
					fmt.Fprintf(bw, "  %s\n", g.file)
				} else if f.Source != "" {
					fmt.Fprintf(bw, "  %s  %s\n", f.Object, f.Source)
				} else {
					fmt.Fprintf(bw, "  %s\n", f.Object)
				}
			}
			fmt.Fprintf(bw, "    %-7s  %s  [%s]\n", f.Severity, findingText(f), f.Rule)
		}
	}
	version := ""
	if len(reports) > 0 {
		version = " against Kubernetes " + minorVersion(reports[0].KubernetesVersion)
	}
	fmt.Fprintf(bw, "validated %s, %s%s: %s\n", plural(len(reports), "environment"), plural(objects, "object"), version, counts(errs, warns))
	return bw.Flush()
}

// findingText is "field: message", or the message alone.
func findingText(f Finding) string {
	if f.Field == "" {
		return f.Message
	}
	return f.Field + ": " + f.Message
}

func counts(errs, warns int) string {
	if errs == 0 && warns == 0 {
		return "ok"
	}
	return plural(errs, "error") + ", " + plural(warns, "warning")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// minorVersion turns "v1.37.1" into "1.37".
func minorVersion(v string) string {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
