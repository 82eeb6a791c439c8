package readiness

import (
	"strings"
	"testing"

	"github.com/kship/kship/pkg/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func object(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func judge(t *testing.T, s *Set, doc string) status.Result {
	t.Helper()
	o := object(t, doc)
	gvk := o.GroupVersionKind()
	if !s.Has(gvk.Group, gvk.Kind) {
		t.Fatalf("no rule for %s", gvk.GroupKind())
	}
	return status.ComputeWith(o, s)
}

// Every built-in rule, on the objects its controller writes.
func TestBuiltinRules(t *testing.T) {
	s, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want status.Status
		doc  string
	}{
		{"rollout new", status.InProgress, "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api, generation: 3}\n"},
		{"rollout progressing", status.InProgress, "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api, generation: 3}\nstatus: {observedGeneration: '3', phase: Progressing}\n"},
		{"rollout stale healthy", status.InProgress, "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api, generation: 3}\nstatus: {observedGeneration: '2', phase: Healthy}\n"},
		{"rollout healthy", status.Current, "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api, generation: 3}\nstatus: {observedGeneration: '3', phase: Healthy}\n"},
		{"rollout degraded", status.Failed, "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api, generation: 3}\nstatus: {observedGeneration: '3', phase: Degraded, message: 'ProgressDeadlineExceeded: ReplicaSet api-5f9 has timed out progressing.'}\n"},
		{"workflow running", status.InProgress, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nstatus: {phase: Running}\n"},
		{"workflow done", status.Current, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nstatus: {phase: Succeeded}\n"},
		{"workflow error", status.Failed, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nstatus: {phase: Error}\n"},
		{"backup new", status.InProgress, "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: b}\n"},
		{"backup done", status.Current, "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: b}\nstatus: {phase: Completed}\n"},
		{"backup partial", status.Failed, "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: b}\nstatus: {phase: PartiallyFailed}\n"},
		{"restore done", status.Current, "apiVersion: velero.io/v1\nkind: Restore\nmetadata: {name: r}\nstatus: {phase: Completed}\n"},
		{"pipelinerun running", status.InProgress, "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: p}\nstatus: {conditions: [{type: Succeeded, status: Unknown, reason: Running}]}\n"},
		{"pipelinerun done", status.Current, "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: p}\nstatus: {conditions: [{type: Succeeded, status: 'True'}]}\n"},
		{"taskrun failed", status.Failed, "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: p}\nstatus: {conditions: [{type: Succeeded, status: 'False', reason: Failed}]}\n"},
		{"elasticsearch yellow", status.InProgress, "apiVersion: elasticsearch.k8s.elastic.co/v1\nkind: Elasticsearch\nmetadata: {name: es, generation: 2}\nstatus: {observedGeneration: 2, phase: Ready, health: yellow}\n"},
		{"elasticsearch green", status.Current, "apiVersion: elasticsearch.k8s.elastic.co/v1\nkind: Elasticsearch\nmetadata: {name: es, generation: 2}\nstatus: {observedGeneration: 2, phase: Ready, health: green}\n"},
		{"elasticsearch invalid", status.Failed, "apiVersion: elasticsearch.k8s.elastic.co/v1\nkind: Elasticsearch\nmetadata: {name: es, generation: 2}\nstatus: {observedGeneration: 2, phase: Invalid}\n"},
		{"sealedsecret synced", status.Current, "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\nstatus: {conditions: [{type: Synced, status: 'True'}]}\n"},
		{"sealedsecret not decrypted", status.Failed, "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\nstatus: {conditions: [{type: Synced, status: 'False', message: no key could decrypt secret}]}\n"},
	}
	kinds := map[string]bool{}
	for _, tt := range tests {
		r := judge(t, s, tt.doc)
		if r.Status != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, r.Status, r.Message, tt.want)
		}
		kinds[object(t, tt.doc).GetKind()] = true
	}
	for _, r := range Builtin() {
		if !kinds[r.Kind] {
			t.Errorf("the built-in rule for %s has no test", r.GroupKind())
		}
	}
}

// A rule of kship.yaml replaces the built-in one of its kind, and judges a
// kind kship has no rule for; its messages say which rule decided.
func TestUserRules(t *testing.T) {
	s, err := Compile([]Rule{
		{APIVersion: "velero.io/v1", Kind: "Backup", Current: "status.?phase.orValue('') in ['Completed', 'PartiallyFailed']"},
		{APIVersion: "kafka.example.com/v1", Kind: "Topic", Current: "status.partitions == spec.partitions",
			Failed: "status.?error.orValue('') != ''"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := judge(t, s, "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: b}\nstatus: {phase: PartiallyFailed}\n"); r.Status != status.Current ||
		!strings.Contains(r.Message, "the readiness rule for Backup.velero.io (kship.yaml)") {
		t.Errorf("override: %s %q", r.Status, r.Message)
	}
	r := judge(t, s, "apiVersion: kafka.example.com/v1\nkind: Topic\nmetadata: {name: orders}\nspec: {partitions: 6}\n")
	if r.Status != status.InProgress || !strings.Contains(r.Message, `waiting for topic "orders": status.partitions == spec.partitions is not yet true (no such attribute(s): status)`) {
		t.Errorf("no status yet: %s %q", r.Status, r.Message)
	}
	r = judge(t, s, "apiVersion: kafka.example.com/v1\nkind: Topic\nmetadata: {name: orders}\nspec: {partitions: 6}\nstatus: {partitions: 3, error: 'InvalidReplicationFactor', message: 'replication factor 5 > brokers 3'}\n")
	if r.Status != status.Failed || !strings.HasSuffix(r.Message, ": replication factor 5 > brokers 3") {
		t.Errorf("failed: %s %q", r.Status, r.Message)
	}
	if r := judge(t, s, "apiVersion: kafka.example.com/v1\nkind: Topic\nmetadata: {name: orders, deletionTimestamp: '2026-01-01T00:00:00Z'}\nspec: {partitions: 6}\n"); r.Status != status.Terminating {
		t.Errorf("a deleted object is %s, want Terminating", r.Status)
	}
}

func TestRuleErrors(t *testing.T) {
	for _, tt := range []struct {
		rule Rule
		want string
	}{
		{Rule{APIVersion: "x.io/v1", Kind: "X", Current: "status.ready =="}, `readiness[0] (x.io/v1 X): current: "status.ready ==" does not compile: ERROR:`},
		{Rule{APIVersion: "x.io/v1", Kind: "X", Current: "'yes'"}, `current: "'yes'" is a string, not a bool`},
		{Rule{APIVersion: "x.io/v1", Kind: "X", Current: "true", Failed: "nosuchvar"}, `failed: "nosuchvar" does not compile`},
		{Rule{APIVersion: "x.io/v1", Kind: "X"}, "has no 'current'"},
		{Rule{APIVersion: "v1", Kind: "X", Current: "true"}, "give apiVersion as group/version"},
	} {
		_, err := Compile([]Rule{tt.rule})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.rule, err, tt.want)
		}
	}
	_, err := Compile([]Rule{{APIVersion: "x.io/v1", Kind: "X", Current: "true"}, {APIVersion: "x.io/v2", Kind: "X", Current: "false"}})
	if err == nil || !strings.Contains(err.Error(), "readiness[1]") || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("twice: %v", err)
	}
}

// A hostile rule stops at the cost limit instead of stalling the deploy.
func TestRuleCostLimit(t *testing.T) {
	s, err := Compile([]Rule{{APIVersion: "x.io/v1", Kind: "X",
		Current: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, a+b+c+d+e+f > 0))))))"}})
	if err != nil {
		t.Fatal(err)
	}
	r := judge(t, s, "apiVersion: x.io/v1\nkind: X\nmetadata: {name: x}\n")
	if r.Status != status.Failed || !strings.Contains(r.Message, "too costly") {
		t.Errorf("%s %q, want failed as too costly", r.Status, r.Message)
	}
}
