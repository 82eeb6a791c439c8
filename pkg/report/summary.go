package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kship/kship/pkg/deploy"
)

// Summary prints a table of every object, then the logs worth reading:
// pre-deploy Jobs' output and crashed containers' last lines.
func Summary(w io.Writer, res *deploy.Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OBJECT\tPHASE\tACTION\tSTATUS\tTIME\tDETAILS")
	for _, o := range res.Objects {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.Ref, o.Phase, dash(string(o.Action)), dash(string(o.Status)),
			seconds(o.Duration), details(o))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, o := range res.Objects {
		keys := make([]string, 0, len(o.Logs))
		for k := range o.Logs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "\nlogs of %s (%s):\n", k, o.Ref)
			for _, l := range o.Logs[k] {
				fmt.Fprintf(w, "  | %s\n", l)
			}
		}
	}
	return nil
}

// details is the one thing to know about an object: its error, its first
// problem, or its status message.
func details(o deploy.ObjectResult) string {
	switch {
	case o.Error != "":
		return oneLine(firstLine(o.Error))
	case len(o.Problems) > 0 && !o.Ready():
		return oneLine(o.Problems[0].String())
	}
	return oneLine(o.Message)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func seconds(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
