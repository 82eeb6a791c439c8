package apply

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Error is a failed apply of one object.
type Error struct {
	Ref object.Ref
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
	// Managers are the managers named, in order of first mention.
	Managers []string
}

func (e *ConflictError) Error() string {
	msg := fmt.Sprintf("fields are owned by another field manager:\n  %s\n", strings.Join(e.Conflicts, "\n  "))
	var controllers []string
	for _, m := range e.Managers {
		if isController(m) {
			controllers = append(controllers, m)
		}
	}
	if len(controllers) == 0 {
		return msg + "  Re-run with --force-conflicts to make kship their owner, or remove those fields from the manifest."
	}
	return msg + fmt.Sprintf("  %s is a controller that keeps setting these fields: taking them with --force-conflicts would undo its work, and it would set them again.\n", strings.Join(controllers, ", ")) +
		"  Remove the fields from the manifest. For spec.replicas of an autoscaled workload, kship leaves the field out by itself when a HorizontalPodAutoscaler in the build or the cluster targets the workload; " +
		"if none does any more, --force-conflicts takes the field back."
}

// isController reports whether a field manager's name is that of a
// controller, which sets fields continuously, rather than of a person or a
// one-off tool.
func isController(manager string) bool {
	switch {
	case manager == "kube-controller-manager", manager == "kube-scheduler",
		strings.HasSuffix(manager, "-controller"), strings.HasSuffix(manager, "-operator"),
		strings.Contains(manager, "autoscaler"), strings.HasPrefix(manager, "keda"):
		return true
	}
	return false
}

// DeniedError says that the identity kship runs as may not write the
// object, and what RBAC rule would allow it.
type DeniedError struct{ Denied *kube.Denied }

func (e *DeniedError) Error() string {
	return "refused by RBAC: " + e.Denied.Advice() + "\n  Or leave the object out of the build, if another identity manages it."
}

// Unwrap returns the API server's error.
func (e *DeniedError) Unwrap() error { return e.Denied.Err }

// OwnedError says that the object belongs to another ApplySet: another
// environment or another app deploys it.
type OwnedError struct {
	// Owner is the other set's ID (the object's part-of label).
	Owner string
	// Parent names the other set's parent object when kship found it
	// (kship's parents are Secrets named kship-ENV), else "".
	Parent string
}

func (e *OwnedError) Error() string {
	who := "another ApplySet"
	if e.Parent != "" {
		who = "the ApplySet of " + e.Parent
	}
	return fmt.Sprintf("the object belongs to %s (label %s=%s): another environment or app deploys an object of this name here.\n"+
		"  Rename one of them, deploy them to different namespaces, or, if this environment is to take the object over, re-run with --adopt.", who, LabelPartOf, e.Owner)
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

var conflictManager = regexp.MustCompile(`conflict with "([^"]+)"`)

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
		ce := &ConflictError{}
		seen := map[string]bool{}
		for _, c := range causes {
			if c.Type == metav1.CauseTypeFieldManagerConflict {
				// The cause's message names the manager, its Field the field.
				ce.Conflicts = append(ce.Conflicts, strings.TrimSuffix(c.Message+": "+c.Field, ": "))
				if m := conflictManager.FindStringSubmatch(c.Message); m != nil && !seen[m[1]] {
					seen[m[1]] = true
					ce.Managers = append(ce.Managers, m[1])
				}
			}
		}
		if len(ce.Conflicts) > 0 {
			return ce
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

// redact replaces an API error about a Secret, or about an object that
// holds a decrypted value, by one that keeps its reason and the fields
// concerned but not the server's message, which can quote such values (as
// a type error on stringData does); what names them in the new message.
// kship's own errors (conflicts, ownership, RBAC, outages) are kept.
func redact(err error, what string) error {
	if errors.As(err, new(*ConflictError)) || errors.As(err, new(*ImmutableError)) || errors.As(err, new(*OwnedError)) || errors.As(err, new(*DeniedError)) {
		return err
	}
	// Network failures and deadlines are kship's own words, never the
	// Secret's: keep them, so they are summarised with the other objects'.
	if errors.As(err, new(*kube.UnavailableError)) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	var we *WebhookError
	if errors.As(err, &we) {
		we.Cause = "its message is withheld because it may quote " + what
		return we
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return errors.New("the request failed; its message is withheld because it may quote " + what)
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
	return errors.New(msg + "; its message is withheld because it may quote " + what)
}

// withheldQuoting is what is said instead of err, whose text quotes a
// decrypted value (as quoted reports): its reason, if the API server gave
// one, and nothing of its text. An immutable field keeps its type, so that
// a recreate still happens, with the paths that quote a value left out.
func withheldQuoting(err error, quoted func(string) bool) error {
	var imm *ImmutableError
	if errors.As(err, &imm) {
		kept := &ImmutableError{}
		for _, f := range imm.Fields {
			if quoted(f) {
				f = "(a path that quotes a decrypted value)"
			}
			kept.Fields = append(kept.Fields, f)
		}
		return kept
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Reason != "" {
		return fmt.Errorf("the API server refused it (%s); its message is withheld because it quotes a decrypted value", status.Status().Reason)
	}
	return errors.New("the request failed; its message is withheld because it quotes a decrypted value")
}
