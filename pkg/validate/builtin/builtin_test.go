package builtin

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

func object(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(y), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

const validDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{name: http, containerPort: 8080}]
        resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}
`

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // "field|type|message fragment"
	}{
		{name: "a valid Deployment", yaml: validDeployment},
		{name: "PDB minAvailable not a percent", yaml: `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: one, selector: {matchLabels: {app: web}}}
`, want: []string{`spec.minAvailable|FieldValueInvalid|Invalid value: "one": a valid percent string must be`}},
		{name: "selector not matching the template, requests over limits", yaml: strings.NewReplacer("labels: {app: web}", "labels: {app: other}", "cpu: 100m", "cpu: 300m").Replace(validDeployment),
			want: []string{
				"spec.template.metadata.labels|FieldValueInvalid|`selector` does not match template `labels`",
				`spec.template.spec.containers[0].resources.requests|FieldValueInvalid|must be less than or equal to cpu limit of 200m`,
			}},
		{name: "cron schedule", yaml: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: every hour
  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: x, image: busybox:1}]}}}}
`, want: []string{`spec.schedule|FieldValueInvalid|Invalid value: "every hour": expected exactly 5 fields`}},
		{name: "a Service is given a cluster IP and node ports before it is validated", yaml: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer, externalTrafficPolicy: Local, selector: {app: web}, ports: [{name: tcp, port: 80}, {name: udp, port: 80, protocol: UDP}]}
`},
		{name: "a node port out of range", yaml: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 80}]}
`, want: []string{`spec.ports[0].nodePort|FieldValueInvalid|provided port is not in the valid range. The range of valid ports is 30000-32767`}},
		{name: "a Secret's bad value is not shown", yaml: `
apiVersion: v1
kind: Secret
metadata: {name: s}
type: kubernetes.io/tls
stringData: {tls.crt: hunter2-sentinel}
`, want: []string{`data[tls.key]|FieldValueRequired|Required value`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, ok, err := Check(object(t, tc.yaml), "default")
			if !ok || err != nil {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
			var got []string
			for _, e := range res.Errors {
				got = append(got, e.Field+"|"+string(e.Type)+"|"+e.Message)
				if strings.Contains(e.Message, "sentinel") {
					t.Errorf("a Secret's value in %q", e.Message)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("errors:\n%s\nwant %d", strings.Join(got, "\n"), len(tc.want))
			}
			for _, w := range tc.want {
				f, rest, _ := strings.Cut(w, "|")
				typ, msg, _ := strings.Cut(rest, "|")
				if !slices.ContainsFunc(res.Errors, func(e Issue) bool {
					return e.Field == f && e.Type == field.ErrorType(typ) && strings.Contains(e.Message, msg)
				}) {
					t.Errorf("no %q among:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestCheckUnknownKinds(t *testing.T) {
	u := object(t, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
	if _, ok, _ := Check(u, "default"); ok {
		t.Error("a custom resource is checked")
	}
}

func TestKubernetesVersion(t *testing.T) {
	// The validation code is the module's; the constant names it.
	if !strings.HasPrefix(moduleVersion(t), "v"+KubernetesVersion+".") {
		t.Errorf("KubernetesVersion %s, k8s.io/kubernetes is %s", KubernetesVersion, moduleVersion(t))
	}
}

// TestNumbersDecodeAsTheServerDoes: the server decodes the JSON kship
// sends, which refuses a fraction or an int32 overflow in an int32 field
// and takes a whole float; Check's conversion must agree with that
// decoder on each.
func TestNumbersDecodeAsTheServerDoes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		value   any
		refused bool
	}{
		{"int", int64(3), false},
		{"whole float", float64(3), false},
		{"fraction", 2.5, true},
		{"int32 overflow", int64(1) << 32, true},
		{"int32 overflow as a float", float64(int64(1) << 32), true},
		{"negative overflow", -(int64(1) << 33), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := object(t, validDeployment)
			if err := unstructured.SetNestedField(u.Object, tc.value, "spec", "replicas"); err != nil {
				t.Fatal(err)
			}
			_, _, err := Check(u, "shop")
			if (err != nil) != tc.refused {
				t.Errorf("replicas %v: error %v, want refused %v", tc.value, err, tc.refused)
			}
		})
	}
	// An int64 field takes what an int32 one refuses.
	u := object(t, validDeployment)
	if err := unstructured.SetNestedField(u.Object, int64(1)<<40, "spec", "template", "spec", "activeDeadlineSeconds"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Check(u, "shop"); err != nil {
		t.Errorf("an int64 field refused a large value: %v", err)
	}
}
