package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
)

// ApplyError is the failed applies of one phase, grouped by cause, so that
// a thousand objects the API server could not take for one reason read as
// one line; the Result still says what happened to each.
type ApplyError struct {
	// Groups are the causes, in the order their first object failed.
	Groups []FailureGroup
	errs   []error
}

// FailureGroup is the objects whose apply failed for one cause.
type FailureGroup struct {
	// Cause is what they have in common: "the API server at URL refused
	// connections (...)", or the API server's message.
	Cause string
	Refs  []object.Ref
	// Detail is the first object's error, told in full when it is alone.
	Detail string
	// outage says the cause is an API server that could not be reached.
	outage bool
}

// groupNamed is how many objects a line names before it counts them.
const groupNamed = 3

func (e *ApplyError) Error() string {
	lines := make([]string, len(e.Groups))
	for i, g := range e.Groups {
		switch {
		case len(g.Refs) == 1:
			lines[i] = fmt.Sprintf("%s: apply failed: %s", g.Refs[0], g.Detail)
		case len(g.Refs) <= groupNamed:
			names := make([]string, len(g.Refs))
			for j, r := range g.Refs {
				names[j] = r.String()
			}
			lines[i] = fmt.Sprintf("%s: apply failed: %s", strings.Join(names, ", "), g.Cause)
		default:
			lines[i] = fmt.Sprintf("%d objects not applied: %s", len(g.Refs), g.Cause)
		}
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns every object's error, each an *apply.Error.
func (e *ApplyError) Unwrap() []error { return e.errs }

// groupFailures groups the *apply.Error values in err by cause, or returns
// nil when there are none. Objects that were not sent because the deadline
// passed while the API server was unreachable count with that outage: it
// is why time ran out.
func groupFailures(err error) *ApplyError {
	out := &ApplyError{}
	index := map[string]int{}
	var late []*apply.Error
	for _, e := range objectErrors(err) {
		var ae *apply.Error
		if !errors.As(e, &ae) {
			continue
		}
		out.errs = append(out.errs, ae)
		if isDeadline(ae.Err) {
			late = append(late, ae)
			continue
		}
		out.add(index, ae)
	}
	if g := out.soleOutage(); g != nil {
		for _, ae := range late {
			g.Refs = append(g.Refs, ae.Ref)
		}
	} else {
		for _, ae := range late {
			out.add(index, ae)
		}
	}
	if len(out.Groups) == 0 {
		return nil
	}
	return out
}

func (out *ApplyError) add(index map[string]int, ae *apply.Error) {
	var ue *kube.UnavailableError
	outage := errors.As(ae.Err, &ue)
	cause := detailOf(ae.Err)
	switch {
	case outage:
		cause = ue.Cause()
	case isDeadline(ae.Err):
		cause = "the deadline passed before they were sent"
	}
	i, ok := index[cause]
	if !ok {
		i = len(out.Groups)
		index[cause] = i
		out.Groups = append(out.Groups, FailureGroup{Cause: cause, Detail: detailOf(ae.Err), outage: outage})
	}
	out.Groups[i].Refs = append(out.Groups[i].Refs, ae.Ref)
}

// soleOutage returns the only group whose cause is an unreachable API
// server, or nil when there is none or several.
func (out *ApplyError) soleOutage() *FailureGroup {
	var found *FailureGroup
	for i := range out.Groups {
		if out.Groups[i].outage {
			if found != nil {
				return nil
			}
			found = &out.Groups[i]
		}
	}
	return found
}

func objectErrors(err error) []error {
	var list interface{ Unwrap() []error }
	if errors.As(err, &list) {
		return list.Unwrap()
	}
	return []error{err}
}

// detailOf is an object's apply error without the request's URL that
// client-go puts before a network failure, which names the object again.
func detailOf(err error) string {
	var ue *kube.UnavailableError
	switch {
	case errors.As(err, &ue):
		return ue.Error()
	case isDeadline(err):
		return "the deadline passed before it was sent"
	case errors.Is(err, context.Canceled):
		return "the deploy was interrupted before it was sent"
	}
	return err.Error()
}

// rowText is an object's apply error as its row in the summary tells it.
func rowText(err error) string {
	if errors.As(err, new(*kube.UnavailableError)) || isDeadline(err) || errors.Is(err, context.Canceled) {
		return "not applied: " + detailOf(err)
	}
	return detailOf(err)
}

// isDeadline reports whether err is the context's deadline alone: a request
// that client-go did not send because time had run out.
func isDeadline(err error) bool {
	var ue *kube.UnavailableError
	return errors.Is(err, context.DeadlineExceeded) && !errors.As(err, &ue)
}
