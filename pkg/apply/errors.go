package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kship/kship/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Error is a failed apply of one object.
type Error struct {
	Ref Ref
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: apply failed: %v", e.Ref, e.Err) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ConflictError says that other field managers own fields kship applies.
type ConflictError struct {
	// Conflicts are the API server's words with the field, e.g.
	// `conflict with "kubectl-edit" using apps/v1: .spec.replicas`.
	Conflicts []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("fields are owned by another field manager:\n  %s\n"+
		"  Re-run with --force-conflicts to make kship their owner, or remove those fields from the manifest.",
		strings.Join(e.Conflicts, "\n  "))
}

// ImmutableError says that the manifest changes a field that cannot change.
type ImmutableError struct {
	// Fields are the immutable field paths, e.g. spec.selector. The API
	// server's message is left out: it quotes whole values, Secrets' included.
	Fields []string
}

func (e *ImmutableError) Error() string {
	return fmt.Sprintf("field %s cannot be changed once set\n"+
		"  Re-run with --recreate to delete and re-create the object, or restore the field's old value.",
		strings.Join(e.Fields, ", "))
}

// classify turns API errors users hit most into typed errors that say what
// to do; others pass through.
func classify(err error) error {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return err
	}
	s := status.Status()
	var causes []metav1.StatusCause
	if s.Details != nil {
		causes = s.Details.Causes
	}
	switch {
	case apierrors.IsConflict(err):
		var cs []string
		for _, c := range causes {
			if c.Type == metav1.CauseTypeFieldManagerConflict {
				// The cause's message names the manager, its Field the field.
				cs = append(cs, strings.TrimSuffix(c.Message+": "+c.Field, ": "))
			}
		}
		if len(cs) > 0 {
			return &ConflictError{Conflicts: cs}
		}
	case apierrors.IsInvalid(err):
		var fields []string
		for _, c := range causes {
			if strings.Contains(c.Message, "immutable") {
				fields = append(fields, c.Field)
			}
		}
		if len(fields) > 0 {
			return &ImmutableError{Fields: fields}
		}
	}
	return err
}

// redact replaces an API error about a Secret by one that keeps its reason
// and the fields concerned but not the server's message, which can quote the
// Secret's values (e.g. a type error on stringData).
func redact(err error) error {
	if errors.As(err, new(*ConflictError)) || errors.As(err, new(*ImmutableError)) {
		return err
	}
	// Network failures and deadlines are kship's own words, never the
	// Secret's: keep them, so they are summarised with the other objects'.
	if errors.As(err, new(*kube.UnavailableError)) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return errors.New("the request failed; its message is withheld because it may quote Secret data")
	}
	s := status.Status()
	var fields []string
	if s.Details != nil {
		for _, c := range s.Details.Causes {
			if c.Field != "" {
				fields = append(fields, c.Field)
			}
		}
	}
	msg := fmt.Sprintf("the API server refused it (%s)", s.Reason)
	if len(fields) > 0 {
		msg += " at " + strings.Join(fields, ", ")
	}
	return errors.New(msg + "; its message is withheld because it may quote Secret data")
}
