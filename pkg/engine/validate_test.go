package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/validate"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// unprobed is a Deployment whose two containers have no readiness probe
// and request nothing: four warnings, no error.
func unprobed(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	objs, err := validate.ReadManifests(strings.NewReader(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: a, image: "registry.example/a:1.0"}
      - {name: b, image: "registry.example/b:1.0"}
`), "warn")
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// The validate step: errors stop the deploy as a *ValidationError (exit 3)
// holding only the errors; warnings are one event; no options, no step.
func TestValidateStep(t *testing.T) {
	bad, err := validate.ReadManifests(strings.NewReader("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replica: 1}\n"), "bad")
	if err != nil {
		t.Fatal(err)
	}
	good, err := validate.ReadManifests(strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"), "good")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		objs     []*unstructured.Unstructured
		off      bool
		code     int
		finding  string
		warning  string
		warnings int
	}{
		{name: "errors stop the deploy", objs: bad, code: exitcode.Build, finding: `spec.replica: unknown field "replica"`},
		{name: "clean", objs: good},
		{name: "switched off", objs: bad, off: true},
		{name: "warnings summarised in one event", objs: unprobed(t), warnings: 1,
			warning: "validation: 4 warnings (policy/readiness-probe ×2, policy/resource-requests ×2); `kship validate app` lists them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []event.Event
			opts := Options{OnEvent: func(e event.Event) { events = append(events, e) }}
			if !tt.off {
				opts.Validate = &validate.Options{}
			}
			r := &runner{opts: opts, target: &Target{Dir: "app"}, res: &Result{}}
			err := r.validate(tt.objs)
			if code := exitcode.Of(err); code != tt.code {
				t.Fatalf("exit code %d, want %d (%v)", code, tt.code, err)
			}
			var verr *ValidationError
			if tt.code != 0 {
				if !errors.As(err, &verr) || !strings.Contains(err.Error(), "nothing was applied") {
					t.Fatalf("error %v: want a *ValidationError that says nothing was applied", err)
				}
				var found []string
				for _, f := range verr.Report.Findings {
					if f.Severity != validate.Error {
						t.Errorf("the error holds a %s finding: %s", f.Severity, f.Message)
					}
					found = append(found, f.Field+": "+f.Message)
				}
				if !strings.Contains(strings.Join(found, "\n"), tt.finding) {
					t.Errorf("findings %q lack %q", found, tt.finding)
				}
			}
			if len(events) != tt.warnings {
				t.Fatalf("%d events, want %d: %+v", len(events), tt.warnings, events)
			}
			if tt.warnings > 0 && (events[0].Type != event.Warning || events[0].Message != tt.warning) {
				t.Errorf("event %+v, want the warning %q", events[0], tt.warning)
			}
		})
	}
}
