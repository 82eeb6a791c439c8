package apply

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestClassifyConflict(t *testing.T) {
	err := &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: 409, Reason: metav1.StatusReasonConflict,
		Message: "Apply failed with 1 conflict",
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{
			Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "kubectl-edit" using apps/v1`, Field: ".spec.replicas",
		}}},
	}}
	var ce *ConflictError
	if got := classify(err); !errors.As(got, &ce) {
		t.Fatalf("classify = %T, want *ConflictError", got)
	}
	for _, want := range []string{`conflict with "kubectl-edit" using apps/v1: .spec.replicas`, "--force-conflicts"} {
		if !strings.Contains(ce.Error(), want) {
			t.Errorf("%q lacks %q", ce.Error(), want)
		}
	}
}

func TestClassifyImmutable(t *testing.T) {
	err := apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "api", field.ErrorList{
		field.Invalid(field.NewPath("spec", "selector"), "secret-ish-value", "field is immutable"),
	})
	var ie *ImmutableError
	if got := classify(err); !errors.As(got, &ie) {
		t.Fatalf("classify = %T, want *ImmutableError", got)
	}
	msg := ie.Error()
	if !strings.Contains(msg, "spec.selector") || !strings.Contains(msg, "--recreate") {
		t.Errorf("message %q must name the field and --recreate", msg)
	}
	if strings.Contains(msg, "secret-ish-value") {
		t.Errorf("message %q quotes the value", msg)
	}
}

func TestClassifyOther(t *testing.T) {
	err := apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, "x", errors.New("no"))
	if got := classify(err); got != err {
		t.Errorf("classify changed an unrelated error: %v", got)
	}
}

func TestRefString(t *testing.T) {
	for want, r := range map[string]object.Ref{
		"Deployment/shop/api": {Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"},
		"Namespace/shop":      {Kind: "Namespace", Name: "shop"},
	} {
		if got := r.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestRedactKeepsNoSecretValue(t *testing.T) {
	err := apierrors.NewInvalid(schema.GroupKind{Kind: "Secret"}, "db", field.ErrorList{
		field.Invalid(field.NewPath("stringData", "PIN"), 987654, "expected string, got &value.valueUnstructured{Value:987654}"),
	})
	got := redact(classify(err), "Secret data").Error()
	if strings.Contains(got, "987654") {
		t.Errorf("redacted error quotes the value: %s", got)
	}
	for _, want := range []string{"Invalid", "stringData.PIN", "withheld"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}

func TestRedactKeepsNetworkFailures(t *testing.T) {
	down := &url.Error{Op: "Patch", URL: "https://127.0.0.1:6443/api/v1/namespaces/shop/secrets/db", Err: &kube.UnavailableError{
		Server: "https://127.0.0.1:6443", Reason: "refused connections", Attempts: 3, Err: kube.ErrGaveUp}}
	for _, err := range []error{down, context.DeadlineExceeded} {
		if got := redact(classify(err), "Secret data"); got != err {
			t.Errorf("redact(%v) = %v, want it kept: it quotes no Secret data and is summarised with the other objects'", err, got)
		}
	}
}

// TestExplainWithholdsSensitive: an error about an object that holds a
// decrypted value (besides a Secret) is withheld as a Secret's is; another
// object's is kept.
func TestExplainWithholdsSensitive(t *testing.T) {
	const value = "decrypted-Dsn-77"
	refused := apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "api", field.ErrorList{
		field.Invalid(field.NewPath("spec", "template", "metadata", "labels"), value, "must be no more than 63 characters"),
	})
	holds := func(u *unstructured.Unstructured) bool { return u.GetName() == "api" }
	a := &Applier{opts: Options{Sensitive: holds}}
	for name, want := range map[string]bool{"api": true, "web": false} {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("apps/v1")
		u.SetKind("Deployment")
		u.SetName(name)
		got := a.explain(context.Background(), target{obj: u, ref: object.RefOf(u)}, refused).Error()
		if withheld := !strings.Contains(got, value) && strings.Contains(got, "withheld"); withheld != want {
			t.Errorf("%s: withheld = %v, want %v: %s", name, withheld, want, got)
		}
	}
}

// TestExplainWithholdsQuotedValue: an error whose text quotes a decrypted
// value is withheld even when its object was not known to hold one (a
// webhook's message, say), and says it is a decrypted value, not Secret
// data; a Secret's error still says Secret data.
func TestExplainWithholdsQuotedValue(t *testing.T) {
	const value = "decrypted-Dsn-77"
	refused := apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "api", field.ErrorList{
		field.Invalid(field.NewPath("spec", "template", "metadata", "labels"), "postgres://"+value, "must be no more than 63 characters"),
	})
	a := &Applier{opts: Options{Quoted: func(s string) bool { return strings.Contains(s, value) }}}
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("apps/v1")
	u.SetKind("Deployment")
	u.SetName("api")
	got := a.explain(context.Background(), target{obj: u, ref: object.RefOf(u)}, refused).Error()
	if strings.Contains(got, value) || !strings.Contains(got, "withheld because it may quote a decrypted value") || !strings.Contains(got, "spec.template.metadata.labels") {
		t.Errorf("error quoting a decrypted value: %s", got)
	}
	other := apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "api", field.ErrorList{
		field.Invalid(field.NewPath("spec", "replicas"), -1, "must be greater than or equal to 0"),
	})
	if got := a.explain(context.Background(), target{obj: u, ref: object.RefOf(u)}, other).Error(); !strings.Contains(got, "greater than or equal to 0") {
		t.Errorf("an error that quotes nothing decrypted is withheld: %s", got)
	}
	s := &unstructured.Unstructured{}
	s.SetAPIVersion("v1")
	s.SetKind("Secret")
	s.SetName("db")
	if got := a.explain(context.Background(), target{obj: s, ref: object.RefOf(s)}, other).Error(); !strings.Contains(got, "may quote Secret data") {
		t.Errorf("a Secret's error: %s", got)
	}
}

// TestExplainWithholdsAQuotingConflict: a conflict is kship's own error and
// kept for a Secret, but one whose field path quotes a decrypted value (a
// set's item) is withheld whole.
func TestExplainWithholdsAQuotingConflict(t *testing.T) {
	const value = "decrypted-Dsn-77"
	conflict := &ConflictError{Conflicts: []string{`conflict with "someone" using apps/v1: .spec.template.spec.containers[name="api"].args[v="` + value + `"]`}, Managers: []string{"someone"}}
	a := &Applier{opts: Options{Quoted: func(s string) bool { return strings.Contains(s, value) }}}
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("apps/v1")
	u.SetKind("Deployment")
	u.SetName("api")
	got := a.explain(context.Background(), target{obj: u, ref: object.RefOf(u)}, conflict).Error()
	if strings.Contains(got, value) || !strings.Contains(got, "withheld") {
		t.Errorf("conflict quoting a decrypted value: %s", got)
	}
}

// TestExplainWithholdsQuotingFields: the fields redact keeps are checked
// too, for a Secret's error as for any; the reason stays, and an immutable
// field stays an *ImmutableError, so that a recreate still happens.
func TestExplainWithholdsQuotingFields(t *testing.T) {
	const value = "decrypted-Dsn-77"
	a := &Applier{opts: Options{Quoted: func(s string) bool { return strings.Contains(s, value) }}}
	secret := &unstructured.Unstructured{}
	secret.SetAPIVersion("v1")
	secret.SetKind("Secret")
	secret.SetName("db")
	invalid := apierrors.NewInvalid(schema.GroupKind{Kind: "Secret"}, "db", field.ErrorList{
		field.Invalid(field.NewPath("metadata", "finalizers").Key(value), "x", "bad"),
	})
	got := a.explain(context.Background(), target{obj: secret, ref: object.RefOf(secret)}, invalid)
	if strings.Contains(got.Error(), value) || !strings.Contains(got.Error(), "(Invalid)") {
		t.Errorf("a Secret's error whose field quotes a decrypted value: %v", got)
	}
	job := &unstructured.Unstructured{}
	job.SetAPIVersion("batch/v1")
	job.SetKind("Job")
	job.SetName("migrate")
	immutable := apierrors.NewInvalid(schema.GroupKind{Group: "batch", Kind: "Job"}, "migrate", field.ErrorList{
		field.Invalid(field.NewPath("spec", "template", "metadata", "annotations").Key(value), "x", "field is immutable"),
	})
	got = a.explain(context.Background(), target{obj: job, ref: object.RefOf(job)}, immutable)
	var imm *ImmutableError
	if !errors.As(got, &imm) || strings.Contains(got.Error(), value) {
		t.Errorf("an immutable field that quotes a decrypted value: %T %v, want an *ImmutableError without it", got, got)
	}
}
