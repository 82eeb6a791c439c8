package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kship/kship/pkg/deploy"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
	seconds  float64
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit writes the deploy as JUnit XML, one test case per object, grouped in
// one suite per phase; a failure carries the root cause and the logs.
func JUnit(w io.Writer, env string, res *deploy.Result) error {
	doc := junitSuites{Name: "kship deploy " + env, Time: secs(res.Duration.Seconds())}
	index := map[string]int{}
	for _, o := range res.Objects {
		i, ok := index[o.Phase]
		if !ok {
			i = len(doc.Suites)
			index[o.Phase] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: env + "/" + o.Phase})
		}
		s := &doc.Suites[i]
		c := junitCase{Name: o.Ref.String(), Classname: "kship." + env + "." + o.Phase, Time: secs(o.Duration.Seconds())}
		switch {
		case o.Action == "" && o.Error == "":
			c.Skipped = &junitSkipped{Message: o.Message}
			s.Skipped++
		case !o.Ready() && !res.DryRun:
			c.Failure = &junitFailure{Message: details(o), Type: failureType(o), Text: failureText(o)}
			s.Failures++
			doc.Failures++
		}
		if o.Message != "" && c.Failure == nil {
			c.SystemOut = o.Message
		}
		s.Cases = append(s.Cases, c)
		s.seconds += o.Duration.Seconds()
		s.Time = secs(s.seconds)
		s.Tests++
		doc.Tests++
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
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

func secs(s float64) string { return fmt.Sprintf("%.3f", s) }
