package validate

import (
	"fmt"
	"io"
	"strings"

	"github.com/kship/kship/internal/junit"
	"github.com/kship/kship/pkg/object"
)

// WriteJUnit writes reports as JUnit XML for CI (CircleCI
// store_test_results): a suite per environment, a test case per file with
// findings about it (secrets/plaintext) and per object, failed when it has
// errors; warnings go to system-out.
func WriteJUnit(w io.Writer, reports []*Report) error {
	doc := junit.Suites{Name: "kship validate"}
	for _, r := range reports {
		s := junit.Suite{Name: r.Environment}
		byObject := map[object.Ref][]Finding{}
		var files []string
		byFile := map[string][]Finding{}
		for _, f := range r.Findings {
			if file := f.file(); file != "" {
				if byFile[file] == nil {
					files = append(files, file)
				}
				byFile[file] = append(byFile[file], f)
				continue
			}
			byObject[f.Object] = append(byObject[f.Object], f)
		}
		for _, file := range files {
			c := junitTestCase(r.Environment, object.Ref{}, byFile[file])
			c.Name = file
			s.Cases = append(s.Cases, c)
		}
		for _, o := range r.Objects {
			s.Cases = append(s.Cases, junitTestCase(r.Environment, o, byObject[o]))
		}
		doc.Suites = append(doc.Suites, s)
	}
	return junit.Write(w, doc)
}

func junitTestCase(env string, o object.Ref, fs []Finding) junit.Case {
	c := junit.Case{Name: o.String(), Classname: "kship.validate." + env}
	var lines []string
	var first *Finding
	for i, f := range fs {
		c.File = f.Source
		lines = append(lines, fmt.Sprintf("%s %s [%s]", f.Severity, findingText(f), f.Rule))
		if f.Severity == Error && first == nil {
			first = &fs[i]
		}
	}
	text := strings.Join(lines, "\n")
	if first != nil {
		c.Failure = &junit.Failure{Message: findingText(*first), Type: first.Rule, Text: text}
	} else {
		c.SystemOut = text
	}
	return c
}
