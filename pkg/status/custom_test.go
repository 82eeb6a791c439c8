package status

import "testing"

func TestComputeAPIService(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "local group served by the API server",
			manifest: `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.apps}
spec: {group: apps, version: v1, groupPriorityMinimum: 17800, versionPriority: 15}
status:
  conditions: [{type: Available, status: "True", reason: Local, message: Local APIServices are always available}]
`,
			want: Result{Status: Current, Message: `apiservice "v1.apps" is local: the API server serves it`},
		},
		{
			name: "local group before the availability controller saw it",
			manifest: `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.apps}
spec: {group: apps, version: v1, groupPriorityMinimum: 17800, versionPriority: 15}
`,
			want: Result{Status: Current, Message: `apiservice "v1.apps" is local: the API server serves it`},
		},
		{
			name: "aggregated API available",
			manifest: `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system, port: 443}
status:
  conditions: [{type: Available, status: "True", reason: Passed, message: all checks passed}]
`,
			want: Result{Status: Current, Message: `apiservice "v1beta1.metrics.k8s.io" is available`},
		},
		{
			name: "aggregated API whose service has no endpoints",
			manifest: `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system, port: 443}
status:
  conditions:
  - type: Available
    status: "False"
    reason: MissingEndpoints
    message: endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"
`,
			want: Result{Status: InProgress, Message: `Waiting for apiservice "v1beta1.metrics.k8s.io" to be available: MissingEndpoints: endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"`},
		},
		{
			name: "aggregated API failing its discovery check",
			manifest: `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.custom.metrics.k8s.io}
spec:
  group: custom.metrics.k8s.io
  version: v1beta1
  service: {name: prometheus-adapter, namespace: monitoring}
status:
  conditions:
  - type: Available
    status: "False"
    reason: FailedDiscoveryCheck
    message: 'failing or missing response from https://10.96.4.2:443/apis/custom.metrics.k8s.io/v1beta1: bad status from https://10.96.4.2:443/apis/custom.metrics.k8s.io/v1beta1: 503'
`,
			want: Result{Status: InProgress, Message: `Waiting for apiservice "v1beta1.custom.metrics.k8s.io" to be available: FailedDiscoveryCheck: failing or missing response from https://10.96.4.2:443/apis/custom.metrics.k8s.io/v1beta1: bad status from https://10.96.4.2:443/apis/custom.metrics.k8s.io/v1beta1: 503`},
		},
		{
			name: "aggregated API whose service does not exist",
			manifest: `
apiVersion: apiregistration.k8s.io/v1beta1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  service: {name: metrics-server, namespace: kube-system}
status:
  conditions:
  - {type: Available, status: "False", reason: ServiceNotFound, message: 'service/metrics-server in "kube-system" is not present'}
`,
			want: Result{Status: InProgress, Message: `Waiting for apiservice "v1beta1.metrics.k8s.io" to be available: ServiceNotFound: service/metrics-server in "kube-system" is not present`},
		},
		{
			name: "aggregated API not checked yet",
			manifest: `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  service: {name: metrics-server, namespace: kube-system}
`,
			want: Result{Status: InProgress, Message: `Waiting for apiservice "v1beta1.metrics.k8s.io" to be available...`},
		},
	})
}

func TestComputeCustomResourceConditions(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "available false is in progress with its reason",
			manifest: `
apiVersion: ops.kship.dev/v1alpha1
kind: Database
metadata: {name: orders, generation: 2}
status:
  observedGeneration: 2
  conditions:
  - {type: Available, status: "False", reason: ProvisioningStorage, message: waiting for the volume}
`,
			want: Result{Status: InProgress, Message: `Waiting for database "orders" to be available: ProvisioningStorage: waiting for the volume`},
		},
		{
			name: "available true is current",
			manifest: `
apiVersion: ops.kship.dev/v1alpha1
kind: Database
metadata: {name: orders, generation: 2}
status:
  conditions: [{type: Available, status: "True", reason: Running, observedGeneration: 2}]
`,
			want: Result{Status: Current, Message: `database "orders" is available`},
		},
		{
			name: "available condition older than the spec",
			manifest: `
apiVersion: ops.kship.dev/v1alpha1
kind: Database
metadata: {name: orders, generation: 3}
status:
  conditions: [{type: Available, status: "True", reason: Running, observedGeneration: 2}]
`,
			want: Result{Status: InProgress, Message: `Waiting for database "orders" spec update to be observed...`},
		},
		{
			name: "ready true but not synced",
			manifest: `
apiVersion: s3.aws.example.org/v1beta1
kind: Bucket
metadata: {name: assets, generation: 1}
status:
  conditions:
  - {type: Ready, status: "True", reason: Available}
  - {type: Synced, status: "False", reason: ReconcileError, message: 'cannot update bucket: AccessDenied'}
`,
			want: Result{Status: InProgress, Message: `Waiting for bucket "assets" to be synced: ReconcileError: cannot update bucket: AccessDenied`},
		},
		{
			name: "ready and synced",
			manifest: `
apiVersion: s3.aws.example.org/v1beta1
kind: Bucket
metadata: {name: assets, generation: 1}
status:
  conditions:
  - {type: Synced, status: "True", reason: ReconcileSuccess}
  - {type: Ready, status: "True", reason: Available}
`,
			want: Result{Status: Current, Message: `bucket "assets" is ready`},
		},
		{
			name: "gateway accepted but not programmed",
			manifest: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, generation: 1}
status:
  conditions:
  - {type: Accepted, status: "True", reason: Accepted, observedGeneration: 1}
  - {type: Programmed, status: "False", reason: AddressNotAssigned, message: no address assigned yet, observedGeneration: 1}
`,
			want: Result{Status: InProgress, Message: `Waiting for gateway "web" to be programmed: AddressNotAssigned: no address assigned yet`},
		},
		{
			name: "degraded keeps it in progress even when available",
			manifest: `
apiVersion: config.example.io/v1
kind: ClusterOperator
metadata: {name: dns}
status:
  conditions:
  - {type: Available, status: "True", reason: AsExpected}
  - {type: Degraded, status: "True", reason: DNSDegraded, message: 1 of 3 pods is not ready}
`,
			want: Result{Status: InProgress, Message: `Waiting for clusteroperator "dns" to recover: it is degraded: DNSDegraded: 1 of 3 pods is not ready`},
		},
		{
			name: "failed true is failed",
			manifest: `
apiVersion: training.example.org/v1
kind: TrainingJob
metadata: {name: nightly}
status:
  conditions:
  - {type: Created, status: "True"}
  - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: worker-0 exited with code 1}
`,
			want: Result{Status: Failed, Message: `trainingjob "nightly" failed: BackoffLimitExceeded: worker-0 exited with code 1`},
		},
		{
			name: "succeeded false is failed",
			manifest: `
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: build-1}
status:
  conditions: [{type: Succeeded, status: "False", reason: Failed, message: step build exited with code 2}]
`,
			want: Result{Status: Failed, Message: `taskrun "build-1" did not succeed: Failed: step build exited with code 2`},
		},
		{
			name: "succeeded unknown is running",
			manifest: `
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: build-1}
status:
  conditions: [{type: Succeeded, status: Unknown, reason: Running}]
`,
			want: Result{Status: InProgress, Message: `Waiting for taskrun "build-1" to succeed: Running`},
		},
		{
			name: "a stale stalled condition does not fail",
			manifest: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, generation: 4}
status:
  conditions: [{type: Stalled, status: "True", reason: BuildFailed, observedGeneration: 3}]
`,
			want: Result{Status: InProgress, Message: `Waiting for kustomization "apps" spec update to be observed...`},
		},
		{
			name: "only negative conditions, all false",
			manifest: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status:
  conditions:
  - {type: Reconciling, status: "False"}
  - {type: Stalled, status: "False"}
`,
			want: Result{Status: Current, Message: `widget "w" is reconciled`},
		},
	})
}

func TestComputeCustomResourceUnknown(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "no status at all",
			manifest: `
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api, generation: 1}
spec: {endpoints: [{port: metrics}]}
`,
			want: Result{Status: Current, Message: `servicemonitor "api" has nothing to wait for`},
		},
		{
			name: "an empty status",
			manifest: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, generation: 1}
status: {conditions: [], phase: ""}
`,
			want: Result{Status: Current, Message: `widget "w" has nothing to wait for`},
		},
		{
			name: "observed generation and no condition it knows",
			manifest: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, generation: 2}
status:
  observedGeneration: 2
  conditions: [{type: Linked, status: "False"}]
`,
			want: Result{Status: Current, Message: `widget "w" has nothing to wait for: its controller observed generation 2 and reports no condition kship knows`},
		},
		{
			name: "phase and fields but no condition nor observed generation",
			manifest: `
apiVersion: ops.kship.dev/v1alpha1
kind: Database
metadata: {name: orders, generation: 1}
status:
  phase: Provisioning
  endpoint: orders.db.internal:5432
  replicas: 1
`,
			want: Result{Status: Unknown, Message: `kship cannot judge database "orders": its status (phase "Provisioning", endpoint, replicas) has neither a condition kship knows (Ready, Available, ...) nor an observedGeneration`},
		},
		{
			name: "conditions of types it does not know",
			manifest: `
apiVersion: kafka.example.io/v1beta2
kind: KafkaTopic
metadata: {name: orders, generation: 1}
status:
  state: Pending
  conditions:
  - {type: Linked, status: "True"}
  - {type: Warning, status: "True", reason: DeprecatedField}
`,
			want: Result{Status: Unknown, Message: `kship cannot judge kafkatopic "orders": its status (conditions Linked=True, Warning=True, state "Pending") has neither a condition kship knows (Ready, Available, ...) nor an observedGeneration`},
		},
		{
			name: "many fields are cut, lifecycle fields first",
			manifest: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {zone: a, state: Busy, phase: Running, hosts: [h1], ports: {http: 80}, leader: h1, size: 3}
`,
			want: Result{Status: Unknown, Message: `kship cannot judge widget "w": its status (phase "Running", state "Busy", hosts, leader, ports, ...) has neither a condition kship knows (Ready, Available, ...) nor an observedGeneration`},
		},
		{
			name: "a built-in kind without rules is not unknown",
			manifest: `
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute}
spec: {hard: {cpu: "10"}}
status: {hard: {cpu: "10"}, used: {cpu: "0"}}
`,
			want: Result{Status: Current, Message: `resourcequota "compute" has nothing to wait for`},
		},
		{
			name: "a certificate signing request that failed",
			manifest: `
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: node-csr}
status:
  conditions:
  - {type: Approved, status: "True", reason: AutoApproved}
  - {type: Failed, status: "True", reason: SignerValidationFailure, message: invalid usage}
`,
			want: Result{Status: Failed, Message: `certificatesigningrequest "node-csr" failed: SignerValidationFailure: invalid usage`},
		},
	})
}
