// Package readiness judges custom resources by CEL rules: per group and
// kind, an expression for when the object is current, and optionally for
// when it is still in progress and when it has failed, in the shape Flux
// uses for its health-check expressions, so that rules written for Flux
// work here. The expressions see the object's top-level fields (metadata,
// spec, status...) as variables. kship ships rules for common kinds that
// lack standard conditions (see Builtin); a rule in kship.yaml for the same
// kind replaces the built-in one.
package readiness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"github.com/kship/kship/pkg/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Rule is one kind's readiness, as written in kship.yaml.
type Rule struct {
	// APIVersion and Kind say which objects it judges: those of
	// APIVersion's group (any version) and Kind.
	APIVersion string `yaml:"apiVersion" json:"apiVersion"`
	Kind       string `yaml:"kind" json:"kind"`
	// Current, InProgress and Failed are CEL expressions that evaluate to
	// a bool. They are tried in the order InProgress, Failed, Current; the
	// first true decides, and when none is, the object is in progress.
	Current    string `yaml:"current" json:"current"`
	InProgress string `yaml:"inProgress" json:"inProgress,omitempty"`
	Failed     string `yaml:"failed" json:"failed,omitempty"`
}

// GroupKind is what the rule judges.
func (r Rule) GroupKind() schema.GroupKind {
	group := ""
	if i := strings.LastIndex(r.APIVersion, "/"); i >= 0 {
		group = r.APIVersion[:i]
	}
	return schema.GroupKind{Group: group, Kind: r.Kind}
}

// Set is a compiled set of rules, at most one per kind.
type Set struct {
	env   *cel.Env
	rules map[schema.GroupKind]*compiled
}

type compiled struct {
	gk                          schema.GroupKind
	from                        string // "kship.yaml" or "built in"
	current, inProgress, failed *expr
}

type expr struct {
	source string
	prog   cel.Program
}

// variables are the object's fields the expressions may use.
var variables = []string{"apiVersion", "kind", "metadata", "spec", "status", "data"}

// costLimit and evalTimeout bound the work one evaluation may do: a rule
// is config, and a runaway one must not stall a deploy. A rule that goes
// over either fails the object: waiting would not make it cheaper.
const (
	costLimit   = 100_000
	evalTimeout = 100 * time.Millisecond
)

// errTooCostly says an evaluation went over costLimit or evalTimeout.
var errTooCostly = errors.New("the rule is too costly to evaluate (over CEL's cost limit or 100ms): simplify it")

func newEnv() (*cel.Env, error) {
	opts := []cel.EnvOption{cel.OptionalTypes(), ext.Strings(), ext.Lists(), ext.Sets()}
	for _, v := range variables {
		opts = append(opts, cel.Variable(v, cel.DynType))
	}
	return cel.NewEnv(opts...)
}

// builtins are the built-in rules and the environment, compiled once.
var builtins = sync.OnceValues(func() (*Set, error) {
	env, err := newEnv()
	if err != nil {
		return nil, err
	}
	s := &Set{env: env, rules: map[schema.GroupKind]*compiled{}}
	for _, r := range Builtin() {
		c, err := compileRule(env, r, "built in")
		if err != nil {
			return nil, fmt.Errorf("built-in readiness rule for %s: %w", r.GroupKind(), err)
		}
		s.rules[c.gk] = c
	}
	return s, nil
})

// Builtins is the set of the built-in rules alone; nil if they do not
// compile (a test says they do).
func Builtins() *Set {
	s, err := builtins()
	if err != nil {
		return nil
	}
	return s
}

// Compile compiles user's rules on top of the built-in ones, which they
// replace for the same kinds. An error names the rule (its index in user)
// and the expression that does not compile.
func Compile(user []Rule) (*Set, error) {
	base, err := builtins()
	if err != nil {
		return nil, err
	}
	if len(user) == 0 {
		return base, nil
	}
	env := base.env
	s := &Set{env: env, rules: maps.Clone(base.rules)}
	seen := map[schema.GroupKind]bool{}
	for i, r := range user {
		c, err := compileRule(env, r, "kship.yaml")
		if err != nil {
			return nil, &RuleError{Index: i, Rule: r, Err: err}
		}
		if seen[c.gk] {
			return nil, &RuleError{Index: i, Rule: r, Err: fmt.Errorf("a rule for %s is given twice: keep one", c.gk)}
		}
		seen[c.gk] = true
		s.rules[c.gk] = c
	}
	return s, nil
}

// RuleError says why a rule of kship.yaml was refused.
type RuleError struct {
	// Index is the rule's place in kship.yaml's readiness list.
	Index int
	// Rule is the rule, Err why it was refused.
	Rule Rule
	Err  error
}

// Error names the rule and says what is wrong with it.
func (e *RuleError) Error() string {
	return fmt.Sprintf("readiness[%d] (%s %s): %v", e.Index, e.Rule.APIVersion, e.Rule.Kind, e.Err)
}

// Unwrap returns the cause.
func (e *RuleError) Unwrap() error { return e.Err }

func compileRule(env *cel.Env, r Rule, from string) (*compiled, error) {
	if !strings.Contains(r.APIVersion, "/") || r.Kind == "" {
		return nil, fmt.Errorf("give apiVersion as group/version (cert-manager.io/v1) and kind")
	}
	if r.Current == "" {
		return nil, fmt.Errorf("has no 'current': give the expression that is true once the object is ready")
	}
	c := &compiled{gk: r.GroupKind(), from: from}
	for _, f := range []struct {
		name, src string
		out       **expr
	}{{"current", r.Current, &c.current}, {"inProgress", r.InProgress, &c.inProgress}, {"failed", r.Failed, &c.failed}} {
		if f.src == "" {
			continue
		}
		e, err := compileExpr(env, f.src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		*f.out = e
	}
	return c, nil
}

func compileExpr(env *cel.Env, src string) (*expr, error) {
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("%q does not compile: %s", src, strings.Join(strings.Fields(iss.Err().Error()), " "))
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) && !t.IsExactType(cel.DynType) {
		return nil, fmt.Errorf("%q is a %s, not a bool", src, t)
	}
	prog, err := env.Program(ast, cel.CostLimit(costLimit), cel.InterruptCheckFrequency(100))
	if err != nil {
		return nil, fmt.Errorf("%q: %w", src, err)
	}
	return &expr{source: src, prog: prog}, nil
}

// Has reports whether s has a rule for group and kind.
func (s *Set) Has(group, kind string) bool {
	if s == nil {
		return false
	}
	_, ok := s.rules[schema.GroupKind{Group: group, Kind: kind}]
	return ok
}

// Judge judges obj by its kind's rule; call it only when Has.
func (s *Set) Judge(obj *unstructured.Unstructured) status.Result {
	gvk := obj.GroupVersionKind()
	c := s.rules[gvk.GroupKind()]
	name := fmt.Sprintf("%s %q", strings.ToLower(gvk.Kind), obj.GetName())
	rule := fmt.Sprintf("the readiness rule for %s (%s)", c.gk, c.from)
	vars := map[string]any{}
	for _, v := range variables {
		if val, ok := obj.Object[v]; ok {
			vars[v] = val
		}
	}
	detail := said(obj)
	type verdict struct {
		ok  bool
		err error
	}
	var v [3]verdict
	for i, e := range []*expr{c.inProgress, c.failed, c.current} {
		v[i].ok, v[i].err = e.eval(vars)
		if errors.Is(v[i].err, errTooCostly) {
			return status.Result{Status: status.Failed, Message: fmt.Sprintf("%s: %s: %s: %v", name, rule, e.source, v[i].err)}
		}
		if v[i].ok {
			break // the first true decides
		}
	}
	switch {
	case v[0].ok:
		return status.Result{Status: status.InProgress, Message: fmt.Sprintf("%s is in progress by %s%s", name, rule, detail)}
	case v[1].ok:
		return status.Result{Status: status.Failed, Message: fmt.Sprintf("%s failed by %s: %s%s", name, rule, c.failed.source, detail)}
	case v[2].ok:
		return status.Result{Status: status.Current, Message: fmt.Sprintf("%s is current by %s%s", name, rule, detail)}
	}
	why := "not yet true"
	if v[2].err != nil {
		why = "not yet true (" + v[2].err.Error() + ")"
	}
	return status.Result{Status: status.InProgress, Message: fmt.Sprintf("waiting for %s: %s is %s%s", name, c.current.source, why, detail)}
}

// eval runs e on vars: false when e is not set, or errs (a field the
// object does not have yet).
func (e *expr) eval(vars map[string]any) (bool, error) {
	if e == nil {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), evalTimeout)
	defer cancel()
	out, _, err := e.prog.ContextEval(ctx, vars)
	if err != nil {
		if ctx.Err() != nil || strings.Contains(err.Error(), "cost limit exceeded") || strings.Contains(err.Error(), "interrupted") {
			return false, errTooCostly
		}
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("%q gave %v, not a bool", e.source, out.Value())
	}
	return b, nil
}

// said is what the object says of itself, for the message: its
// status.message, or its Ready condition's message; "" when nothing.
func said(obj *unstructured.Unstructured) string {
	if m, _, _ := unstructured.NestedString(obj.Object, "status", "message"); m != "" {
		return ": " + strings.Join(strings.Fields(m), " ")
	}
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == "Ready" {
			if msg, _ := m["message"].(string); msg != "" {
				return ": " + strings.Join(strings.Fields(msg), " ")
			}
		}
	}
	return ""
}

var _ status.Rules = (*Set)(nil)
