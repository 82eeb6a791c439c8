package main

import (
	"context"
	"fmt"
	"strings"
)

// Command is one process to time.
type Command struct {
	Name string   // what the table calls it: "kship", "kustomize", ...
	Path string   // executable
	Args []string // arguments, without the program name
	Dir  string   // working directory; "" is the current one
	Env  []string // environment; nil inherits the current one
}

// String renders c as a shell-like command line, for messages.
func (c Command) String() string {
	return strings.Join(append([]string{c.Path}, c.Args...), " ")
}

// Case is one comparison: the same job done by kship (Subject) and by the
// tool it stands in for (Baseline), each run as a separate process.
type Case struct {
	Group, Name string
	Subject     Command
	Baseline    Command
	// Before, if set, runs untimed before every run of either command, e.g.
	// to put a cluster back into its starting state.
	Before func(ctx context.Context) error
	// After, if set, runs untimed after every run of either command and
	// fails the benchmark on error, e.g. to check what a run left behind.
	After func(ctx context.Context) error
	// Check, if set, gets the stdout of one untimed run of each command and
	// fails the benchmark if they disagree. Its detail, e.g. "1,502
	// objects", goes into the table.
	Check func(subject, baseline []byte) (detail string, err error)
	// Once times the checking run itself and runs nothing more: for a case
	// too slow to repeat (a 1,000-service build takes minutes).
	Once bool
	// Objects, when set, is how many objects the case handles, for the
	// build-time exponent (see Exponents).
	Objects int
}

// ID names the case in messages: "group/name".
func (c Case) ID() string { return c.Group + "/" + c.Name }

// Env is what every group can use. Groups must not print: they return
// cases and errors, and main reports.
type Env struct {
	Root  string // repository root
	Tmp   string // scratch directory, removed when the run ends
	Kship string // kship binary built from Root
	Self  string // this benchmark's own executable, for helper modes
}

// Group is a family of cases that share setup, e.g. "build". A new group
// (apply against kubectl, validate against kubeconform, ...) is a new file
// with a type that implements Group, registered in main.
type Group interface {
	// Name is the group's name on the command line and in the table.
	Name() string
	// Cases does the untimed setup, such as generating trees, and returns
	// the cases to measure.
	Cases(ctx context.Context, env *Env) ([]Case, error)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// unknownName is the error for a name that is not one of known.
func unknownName(what, name string, known []string) error {
	return fmt.Errorf("unknown %s %q: want one of %s", what, name, strings.Join(known, ", "))
}
