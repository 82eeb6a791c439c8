package validate_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kship/kship/pkg/validate"
)

// brief is the part of a finding that tests compare: which rule fired where.
type brief struct {
	Object   string
	Field    string
	Rule     string
	Severity validate.Severity
}

// check is one table case: manifests and the findings they must produce,
// with substrings the messages must contain, in finding order.
type check struct {
	name     string
	yaml     string
	opts     validate.Options
	want     []brief
	messages []string
	// rules limits the comparison to findings of these rules (all if nil).
	rules []string
}

func runYAML(t *testing.T, yaml string, opts validate.Options) *validate.Report {
	t.Helper()
	objs, err := validate.ReadManifests(strings.NewReader(yaml), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	if opts.Environment == "" {
		opts.Environment = "test"
	}
	rep, err := validate.Run(objs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func runChecks(t *testing.T, tests []check) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := runYAML(t, tt.yaml, tt.opts)
			var got []brief
			var msgs []string
			for _, f := range rep.Findings {
				if tt.rules != nil && !contains(tt.rules, f.Rule) {
					continue
				}
				got = append(got, brief{f.Object.String(), f.Field, f.Rule, f.Severity})
				msgs = append(msgs, f.Message)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nmessages: %q", diff, msgs)
			}
			for i, m := range tt.messages {
				if i >= len(msgs) || !strings.Contains(msgs[i], m) {
					t.Errorf("message %d = %q, want it to contain %q", i, at(msgs, i), m)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return "<none>"
}

// deployment is a valid apps/v1 Deployment that passes every rule; cases
// edit it with strings.Replace.
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {cpu: 100m, memory: 128Mi}
          readinessProbe:
            httpGet: {path: /, port: 80}
`

// edit replaces old with new in s once, and fails loudly if old is absent,
// so that a case cannot silently test the unedited manifest.
func edit(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("edit: " + old + " not found")
	}
	return strings.Replace(s, old, new, 1)
}
