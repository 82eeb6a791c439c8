package deploy

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
)

func cm(i int) object.Ref {
	return object.Ref{Kind: "ConfigMap", Namespace: "shop", Name: fmt.Sprintf("cm-%d", i)}
}

// refused is the error client-go returns for an apply while the API server
// is down: the request's URL around kship's UnavailableError.
func refused(i int) error {
	return &url.Error{Op: "Patch", URL: "https://127.0.0.1:6443/api/v1/namespaces/shop/configmaps/" + cm(i).Name + "?fieldManager=kship",
		Err: &kube.UnavailableError{Server: "https://127.0.0.1:6443", Reason: "refused connections",
			Detail: "dial tcp 127.0.0.1:6443: connect: connection refused", Method: "PATCH", Attempts: 9, Err: kube.ErrGaveUp}}
}

func failed(ref object.Ref, err error) error { return &apply.Error{Ref: ref, Err: err} }

func TestGroupFailures(t *testing.T) {
	const down = "the API server at https://127.0.0.1:6443 refused connections (dial tcp 127.0.0.1:6443: connect: connection refused)"
	webhook := errors.New(`Internal error occurred: failed calling webhook "check.example.com": connection refused`)
	conflict := &apply.ConflictError{Conflicts: []string{`conflict with "hand-edit" using v1: .data.a`}}
	many := func(n int, err func(int) error) []error {
		var out []error
		for i := range n {
			out = append(out, failed(cm(i), err(i)))
		}
		return out
	}
	tests := []struct {
		name string
		errs []error
		want string
	}{
		{"a thousand refused: one line", many(1000, refused), "1000 objects not applied: " + down},
		{"one refused: the object, without the request's URL", many(1, refused),
			"ConfigMap/shop/cm-0: apply failed: " + down + "; gave up after 9 attempts in 0s"},
		{"not sent before the deadline, during the outage: counted with it",
			append(many(30, refused), many(300, func(int) error { return context.DeadlineExceeded })[30:]...),
			"300 objects not applied: " + down},
		{"the deadline alone", many(5, func(int) error { return context.DeadlineExceeded }),
			"5 objects not applied: the deadline passed before they were sent"},
		{"one webhook for all: one line", many(40, func(int) error { return webhook }), "40 objects not applied: " + webhook.Error()},
		{"a few alike are named", many(2, func(int) error { return webhook }),
			"ConfigMap/shop/cm-0, ConfigMap/shop/cm-1: apply failed: " + webhook.Error()},
		{"different causes, one line each",
			[]error{failed(cm(0), conflict), failed(cm(1), webhook), failed(cm(2), webhook), failed(cm(3), refused(3))},
			"ConfigMap/shop/cm-0: apply failed: " + conflict.Error() + "\n" +
				"ConfigMap/shop/cm-1, ConfigMap/shop/cm-2: apply failed: " + webhook.Error() + "\n" +
				"ConfigMap/shop/cm-3: apply failed: " + down + "; gave up after 9 attempts in 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := groupFailures(errors.Join(tt.errs...))
			if diff := cmp.Diff(tt.want, got.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(got.Unwrap()) != len(tt.errs) {
				t.Errorf("unwraps to %d errors, want every object's (%d)", len(got.Unwrap()), len(tt.errs))
			}
		})
	}
	// Typed errors stay reachable.
	if !errors.As(groupFailures(errors.Join(failed(cm(0), conflict))), new(*apply.ConflictError)) {
		t.Error("a conflict is no longer an *apply.ConflictError")
	}
}

func TestRowText(t *testing.T) {
	if got := rowText(refused(1)); !strings.HasPrefix(got, "not applied: the API server at https://127.0.0.1:6443 refused connections") || strings.Contains(got, "cm-1") {
		t.Errorf("row %q", got)
	}
}
