package status

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// object decodes a YAML manifest the way a client would hand it over.
func object(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(manifest))
	if err != nil {
		t.Fatalf("YAMLToJSON: %v", err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(j); err != nil {
		t.Fatalf("UnmarshalJSON: %v", err)
	}
	return u
}

type computeCase struct {
	name     string
	manifest string
	want     Result
}

func runCompute(t *testing.T, cases []computeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Compute(object(t, tc.manifest))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Compute() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeNil(t *testing.T) {
	if diff := cmp.Diff(Result{Status: NotFound, Message: "not found"}, Compute(nil)); diff != "" {
		t.Errorf("Compute(nil) mismatch (-want +got):\n%s", diff)
	}
}

func TestComputeTerminating(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "ready deployment being deleted",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  generation: 1
  deletionTimestamp: "2026-01-02T03:04:05Z"
spec:
  replicas: 1
status:
  observedGeneration: 1
  replicas: 1
  updatedReplicas: 1
  availableReplicas: 1
`,
			want: Result{Status: Terminating, Message: `deployment "api" is being deleted`},
		},
		{
			name: "configmap held by finalizers",
			manifest: `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  deletionTimestamp: "2026-01-02T03:04:05Z"
  finalizers: [example.com/keep, example.com/audit]
`,
			want: Result{Status: Terminating, Message: `configmap "settings" is being deleted (waiting for finalizers: example.com/keep, example.com/audit)`},
		},
		{
			name: "namespace in phase Terminating",
			manifest: `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  deletionTimestamp: "2026-01-02T03:04:05Z"
status:
  phase: Terminating
`,
			want: Result{Status: Terminating, Message: `namespace "shop" is being deleted`},
		},
	})
}

func TestComputeCore(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "pod succeeded",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: Never
  containers: [{name: main, image: busybox}]
status:
  phase: Succeeded
`,
			want: Result{Status: Current, Message: `pod "once" succeeded`},
		},
		{
			name: "pod failed quotes the container's exit",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: Never
  containers: [{name: main, image: busybox}]
status:
  phase: Failed
  containerStatuses:
  - name: main
    image: busybox
    imageID: ""
    ready: false
    restartCount: 0
    state:
      terminated: {exitCode: 1, reason: Error}
`,
			want: Result{Status: Failed, Message: `pod "once" failed: container main: Error: exit code 1`},
		},
		{
			name: "pod running and ready",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: nginx, image: nginx}]
status:
  phase: Running
  conditions:
  - {type: PodScheduled, status: "True"}
  - {type: Ready, status: "True"}
  containerStatuses:
  - {name: nginx, image: nginx, imageID: "", ready: true, restartCount: 0, state: {running: {}}}
`,
			want: Result{Status: Current, Message: `pod "web" is ready`},
		},
		{
			name: "pod running but not ready",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: nginx, image: nginx}]
status:
  phase: Running
  conditions:
  - {type: Ready, status: "False", reason: ContainersNotReady}
  containerStatuses:
  - {name: nginx, image: nginx, imageID: "", ready: false, restartCount: 0, state: {running: {}}}
`,
			want: Result{Status: InProgress, Message: `Waiting for pod "web" to be ready (phase Running): container nginx: NotReady: container nginx is running but not ready`},
		},
		{
			name: "pod that cannot pull its image stays in progress",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: nginx, image: "registry.invalid/nginx:missing"}]
status:
  phase: Pending
  containerStatuses:
  - name: nginx
    image: registry.invalid/nginx:missing
    imageID: ""
    ready: false
    restartCount: 0
    state:
      waiting:
        reason: ImagePullBackOff
        message: Back-off pulling image "registry.invalid/nginx:missing"
`,
			want: Result{Status: InProgress, Message: `Waiting for pod "web" to be ready (phase Pending): container nginx: ImagePullBackOff: Back-off pulling image "registry.invalid/nginx:missing"`},
		},
		{
			name: "pod not yet seen by the scheduler",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: nginx, image: nginx}]
`,
			want: Result{Status: InProgress, Message: `Waiting for pod "web" to be ready`},
		},
		{
			name: "pvc bound",
			manifest: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {volumeName: pvc-123, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
status: {phase: Bound}
`,
			want: Result{Status: Current, Message: `persistentvolumeclaim "data" is bound`},
		},
		{
			name: "pvc lost",
			manifest: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {volumeName: pvc-123}
status: {phase: Lost}
`,
			want: Result{Status: Failed, Message: `persistentvolumeclaim "data" lost its volume "pvc-123"`},
		},
		{
			name: "pvc pending",
			manifest: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {storageClassName: standard}
status: {phase: Pending}
`,
			want: Result{Status: InProgress, Message: `Waiting for persistentvolumeclaim "data" to be bound (phase Pending)...`},
		},
		{
			name: "pvc without status",
			manifest: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
`,
			want: Result{Status: InProgress, Message: `Waiting for persistentvolumeclaim "data" to be bound...`},
		},
		{
			name: "namespace active",
			manifest: `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
status: {phase: Active}
`,
			want: Result{Status: Current, Message: `namespace "shop" is active`},
		},
		{
			name: "namespace terminating without deletionTimestamp",
			manifest: `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
status: {phase: Terminating}
`,
			want: Result{Status: Terminating, Message: `namespace "shop" is terminating`},
		},
		{
			name: "namespace without phase",
			manifest: `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
`,
			want: Result{Status: InProgress, Message: `Waiting for namespace "shop" to become active...`},
		},
		{
			name: "clusterip service",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {type: ClusterIP, clusterIP: 10.96.0.10, ports: [{port: 80}]}
status: {loadBalancer: {}}
`,
			want: Result{Status: Current, Message: `service "api" has nothing to wait for`},
		},
		{
			name: "loadbalancer service without address is not awaited",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {type: LoadBalancer, clusterIP: 10.96.0.10, ports: [{port: 80}]}
status: {loadBalancer: {}}
`,
			want: Result{Status: Current, Message: `service "api" has no load-balancer address yet; it is not awaited`},
		},
		{
			name: "loadbalancer service with addresses",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {type: LoadBalancer, clusterIP: 10.96.0.10}
status:
  loadBalancer:
    ingress:
    - ip: 203.0.113.7
    - hostname: api.elb.example.com
`,
			want: Result{Status: Current, Message: `service "api" has load-balancer address 203.0.113.7, api.elb.example.com`},
		},
	})
}

func TestComputeCluster(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "crd established",
			manifest: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com, generation: 1}
status:
  conditions:
  - {type: NamesAccepted, status: "True", reason: NoConflicts, message: no conflicts found}
  - {type: Established, status: "True", reason: InitialNamesAccepted, message: the initial names have been accepted}
`,
			want: Result{Status: Current, Message: `customresourcedefinition "widgets.example.com" is established`},
		},
		{
			name: "crd names not accepted",
			manifest: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
status:
  conditions:
  - type: NamesAccepted
    status: "False"
    reason: MultipleNamesNotAccepted
    message: '"widgets" is already in use'
  - {type: Established, status: "False", reason: NotAccepted, message: not all names are accepted}
`,
			want: Result{Status: Failed, Message: `customresourcedefinition "widgets.example.com": names not accepted: MultipleNamesNotAccepted: "widgets" is already in use`},
		},
		{
			name: "crd not established yet",
			manifest: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
status:
  conditions:
  - {type: NamesAccepted, status: "True", reason: NoConflicts}
  - {type: Established, status: "False", reason: Installing, message: the initial names have been accepted}
`,
			want: Result{Status: InProgress, Message: `Waiting for customresourcedefinition "widgets.example.com" to be established...`},
		},
		{
			name: "crd without status",
			manifest: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
`,
			want: Result{Status: InProgress, Message: `Waiting for customresourcedefinition "widgets.example.com" to be established...`},
		},
		{
			name: "pdb observed",
			manifest: `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, generation: 2}
spec: {minAvailable: 1}
status: {observedGeneration: 2, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2}
`,
			want: Result{Status: Current, Message: `poddisruptionbudget "api" is observed: 1 disruptions allowed`},
		},
		{
			name: "pdb not observed yet",
			manifest: `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, generation: 1}
spec: {minAvailable: 1}
`,
			want: Result{Status: InProgress, Message: `Waiting for poddisruptionbudget "api" spec update to be observed...`},
		},
		{
			name: "hpa without metrics server",
			manifest: `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, generation: 1}
status:
  observedGeneration: 1
  conditions:
  - {type: AbleToScale, status: "True", reason: SucceededGetScale}
  - type: ScalingActive
    status: "False"
    reason: FailedGetResourceMetric
    message: 'the HPA was unable to compute the replica count: failed to get cpu utilization'
`,
			want: Result{Status: Current, Message: `horizontalpodautoscaler "api" has nothing to wait for`},
		},
	})
}

func TestComputeGeneric(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "configmap",
			manifest: `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
`,
			want: Result{Status: Current, Message: `configmap "settings" has nothing to wait for`},
		},
		{
			name: "clusterrole",
			manifest: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`,
			want: Result{Status: Current, Message: `clusterrole "reader" has nothing to wait for`},
		},
		{
			name: "custom resource not observed",
			manifest: `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, generation: 3}
status:
  observedGeneration: 2
  conditions: [{type: Ready, status: "True", reason: Ready}]
`,
			want: Result{Status: InProgress, Message: `Waiting for certificate "web" spec update to be observed...`},
		},
		{
			name: "custom resource ready",
			manifest: `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, generation: 3}
status:
  conditions: [{type: Ready, status: "True", reason: Ready, observedGeneration: 3}]
`,
			want: Result{Status: Current, Message: `certificate "web" is ready`},
		},
		{
			name: "custom resource whose ready condition is stale",
			manifest: `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, generation: 3}
status:
  conditions: [{type: Ready, status: "True", reason: Ready, observedGeneration: 2}]
`,
			want: Result{Status: InProgress, Message: `Waiting for certificate "web" spec update to be observed...`},
		},
		{
			name: "custom resource not ready with a failure reason stays in progress",
			manifest: `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, generation: 1}
status:
  observedGeneration: 1
  conditions:
  - type: Ready
    status: "False"
    reason: IssuanceFailed
    message: |-
      The certificate request has failed to complete
      and will be retried
`,
			want: Result{Status: InProgress, Message: `Waiting for certificate "web" to be ready: IssuanceFailed: The certificate request has failed to complete and will be retried`},
		},
		{
			name: "custom resource ready unknown",
			manifest: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status:
  conditions: [{type: Ready, status: Unknown}]
`,
			want: Result{Status: InProgress, Message: `Waiting for widget "w" to be ready`},
		},
		{
			name: "custom resource stalled",
			manifest: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, generation: 1}
status:
  observedGeneration: 1
  conditions:
  - {type: Ready, status: "False", reason: BuildFailed, message: kustomization path not found}
  - {type: Stalled, status: "True", reason: BuildFailed, message: kustomization path not found}
`,
			want: Result{Status: Failed, Message: `kustomization "apps" is stalled: BuildFailed: kustomization path not found`},
		},
		{
			name: "custom resource reconciling",
			manifest: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, generation: 1}
status:
  observedGeneration: 1
  conditions:
  - {type: Ready, status: "True", reason: ReconciliationSucceeded}
  - {type: Reconciling, status: "True", reason: Progressing, message: "Building manifests"}
`,
			want: Result{Status: InProgress, Message: `Waiting for kustomization "apps" to reconcile: Progressing: Building manifests`},
		},
		{
			name: "custom resource not synced",
			manifest: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, generation: 1}
status:
  observedGeneration: 1
  conditions: [{type: Synced, status: "False"}]
`,
			want: Result{Status: InProgress, Message: `Waiting for widget "w" to be synced`},
		},
		{
			name: "kind named Deployment in another group is generic",
			manifest: `
apiVersion: apps.example.com/v1
kind: Deployment
metadata: {name: api}
status: {replicas: 3}
`,
			want: Result{Status: Unknown, Message: `kship cannot judge deployment "api": its status (replicas) has neither a condition kship knows (Ready, Available, ...) nor an observedGeneration`},
		},
	})
}

// TestComputeNumberTypes checks objects decoded by encoding/json, whose
// numbers are float64, as well as Go ints set by hand.
func TestComputeNumberTypes(t *testing.T) {
	var m map[string]any
	err := json.Unmarshal([]byte(`{"apiVersion":"apps/v1","kind":"Deployment",
		"metadata":{"name":"api","generation":2},
		"spec":{"replicas":2},
		"status":{"observedGeneration":2,"replicas":2,"updatedReplicas":2,"availableReplicas":1}}`), &m)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Status: InProgress, Message: `Waiting for deployment "api" rollout to finish: 1 of 2 updated replicas are available...`}
	if diff := cmp.Diff(want, Compute(&unstructured.Unstructured{Object: m})); diff != "" {
		t.Errorf("float64 numbers (-want +got):\n%s", diff)
	}
	m["metadata"].(map[string]any)["generation"] = float64(3)
	want = Result{Status: InProgress, Message: "Waiting for deployment spec update to be observed..."}
	if diff := cmp.Diff(want, Compute(&unstructured.Unstructured{Object: m})); diff != "" {
		t.Errorf("float64 generation (-want +got):\n%s", diff)
	}
	m["metadata"].(map[string]any)["generation"] = float64(2)
	status := m["status"].(map[string]any)
	status["availableReplicas"] = int(2)
	status["updatedReplicas"] = int32(2)
	want = Result{Status: Current, Message: `deployment "api" successfully rolled out`}
	if diff := cmp.Diff(want, Compute(&unstructured.Unstructured{Object: m})); diff != "" {
		t.Errorf("int numbers (-want +got):\n%s", diff)
	}
}
