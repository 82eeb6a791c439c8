package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kship/kship/internal/junit"
	"github.com/kship/kship/pkg/deploy"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/status"
)

// JUnit writes the deploy as JUnit XML, one test case per object, grouped in
// one suite per phase; a failure carries the root cause and the logs. An
// object kship could not judge (Unknown) is a skipped case: its readiness was
// not checked, which is neither a pass nor a failure. An automatic rollback
// (rb, when not nil) is one more suite with one case.
func JUnit(w io.Writer, env string, res *deploy.Result, rb *engine.RollbackReport) error {
	doc := junit.Suites{Name: "kship deploy " + env, Time: junit.Seconds(res.Duration.Seconds())}
	index := map[string]int{}
	seconds := map[string]float64{}
	for _, o := range res.Objects {
		i, ok := index[o.Phase]
		if !ok {
			i = len(doc.Suites)
			index[o.Phase] = i
			doc.Suites = append(doc.Suites, junit.Suite{Name: env + "/" + o.Phase})
		}
		s := &doc.Suites[i]
		s.Cases = append(s.Cases, objectCase("kship."+env+"."+o.Phase, o, res.DryRun))
		seconds[o.Phase] += o.Duration.Seconds()
		s.Time = junit.Seconds(seconds[o.Phase])
	}
	if rb != nil {
		doc.Suites = append(doc.Suites, junit.Suite{Name: env + "/rollback", Cases: []junit.Case{rollbackCase(env, rb)}})
	}
	return junit.Write(w, doc)
}

// objectCase is the test case of one object's deploy.
func objectCase(classname string, o deploy.ObjectResult, dryRun bool) junit.Case {
	c := junit.Case{Name: o.Ref.String(), Classname: classname, Time: junit.Seconds(o.Duration.Seconds())}
	switch {
	case o.Action == "" && o.Error == "":
		c.Skipped = &junit.Skipped{Message: o.Message}
	case o.Error == "" && o.Status == status.Unknown:
		c.Skipped = &junit.Skipped{Message: "readiness Unknown: " + oneLine(o.Message)}
	case o.Error != "" || (!o.Ready() && !dryRun):
		c.Failure = &junit.Failure{Message: details(o), Type: failureType(o), Text: failureText(o)}
	}
	if o.Message != "" && c.Failure == nil && c.Skipped == nil {
		c.SystemOut = o.Message
	}
	return c
}

func rollbackCase(env string, rb *engine.RollbackReport) junit.Case {
	c := junit.Case{Name: fmt.Sprintf("rollback to revision %d", rb.To), Classname: "kship." + env + ".rollback"}
	switch rb.Outcome {
	case engine.RolledBack:
		c.SystemOut = fmt.Sprintf("rolled back to revision %d", rb.To)
	case engine.RollbackFailed:
		text := rb.Reason + "\nIt changed nothing: the environment runs the failed revision.\n"
		if rb.Mixed {
			text = rb.Reason + "\nThe environment is in a mixed state.\n"
		}
		if rb.Result != nil {
			for _, o := range rb.Result.Objects {
				if o.Error != "" || !o.Ready() {
					text += o.Ref.String() + ": " + details(o) + "\n"
				}
			}
		}
		c.Failure = &junit.Failure{Message: "the rollback failed: " + firstLine(rb.Reason), Type: "RollbackFailed", Text: text}
	default:
		c.Name = "rollback"
		c.Skipped = &junit.Skipped{Message: "not attempted: " + rb.Reason}
	}
	return c
}

func failureType(o deploy.ObjectResult) string {
	switch {
	case o.Error != "":
		return "ApplyFailed"
	case len(o.Problems) > 0:
		return o.Problems[0].Reason
	}
	return string(o.Status)
}

func failureText(o deploy.ObjectResult) string {
	var b strings.Builder
	if o.Error != "" {
		b.WriteString(o.Error + "\n")
	}
	if o.Message != "" {
		b.WriteString(o.Message + "\n")
	}
	for _, p := range o.Problems {
		b.WriteString(p.String() + "\n")
	}
	keys := make([]string, 0, len(o.Logs))
	for k := range o.Logs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\nlogs of %s:\n%s\n", k, strings.Join(o.Logs[k], "\n"))
	}
	return b.String()
}
