package status

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// podFrom decodes a Pod manifest, rejecting unknown fields so that a typo in
// a test fixture cannot go unnoticed.
func podFrom(t *testing.T, manifest string) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{}
	if err := yaml.UnmarshalStrict([]byte(manifest), pod); err != nil {
		t.Fatalf("decoding pod: %v", err)
	}
	return pod
}

func code(c int32) *int32 { return &c }

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		want     []Problem
		strings  []string // the String of each problem, checked when set
	}{
		{
			name: "ready pod",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Running
  conditions:
  - {type: PodScheduled, status: "True"}
  - {type: Ready, status: "True"}
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: true, restartCount: 0, state: {running: {startedAt: "2026-01-02T03:04:05Z"}}}
`,
			want: nil,
		},
		{
			name: "not scheduled yet",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status: {phase: Pending}
`,
			want: nil,
		},
		{
			name: "container creating",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Pending
  conditions: [{type: PodScheduled, status: "True"}]
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}
`,
			want: nil,
		},
		{
			name: "init container still running",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  initContainers: [{name: migrate, image: api:v1}]
  containers: [{name: api, image: api:v1}]
status:
  phase: Pending
  initContainerStatuses:
  - {name: migrate, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {running: {}}}
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`,
			want: nil,
		},
		{
			name: "succeeded",
			manifest: `
metadata: {name: migrate-x7k2p}
spec:
  restartPolicy: Never
  containers: [{name: main, image: api:v1}]
status:
  phase: Succeeded
  containerStatuses:
  - {name: main, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
`,
			want: nil,
		},
		{
			name: "being deleted",
			manifest: `
metadata: {name: api-old-x2, deletionTimestamp: "2026-01-02T03:04:05Z"}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Running
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 143, reason: Error}}}
`,
			want: nil,
		},
		{
			name: "image pull error",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: "registry.invalid/api:missing"}]
status:
  phase: Pending
  containerStatuses:
  - name: api
    image: registry.invalid/api:missing
    imageID: ""
    ready: false
    restartCount: 0
    state:
      waiting:
        reason: ErrImagePull
        message: 'Failed to pull image "registry.invalid/api:missing": rpc error: code = Unknown desc = failed to resolve reference "registry.invalid/api:missing": dial tcp: lookup registry.invalid: no such host'
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "ErrImagePull", Fatal: true,
				Message: `Failed to pull image "registry.invalid/api:missing": rpc error: code = Unknown desc = failed to resolve reference "registry.invalid/api:missing": dial tcp: lookup registry.invalid: no such host`,
			}},
			strings: []string{`pod api-7d9f-x2: container api: ErrImagePull: Failed to pull image "registry.invalid/api:missing": rpc error: code = Unknown desc = failed to resolve reference "registry.invalid/api:missing": dial tcp: lookup registry.invalid: no such host`},
		},
		{
			name: "image pull back-off",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: "registry.invalid/api:missing"}]
status:
  phase: Pending
  containerStatuses:
  - name: api
    image: registry.invalid/api:missing
    imageID: ""
    ready: false
    restartCount: 0
    state: {waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image "registry.invalid/api:missing"'}}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "ImagePullBackOff", Fatal: true,
				Message: `Back-off pulling image "registry.invalid/api:missing"`,
			}},
			strings: []string{`pod api-7d9f-x2: container api: ImagePullBackOff: Back-off pulling image "registry.invalid/api:missing"`},
		},
		{
			name: "invalid image name",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: "API:V1"}]
status:
  phase: Pending
  containerStatuses:
  - {name: api, image: "API:V1", imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: InvalidImageName, message: 'Failed to apply default image tag "API:V1": couldn''t parse image name "API:V1": invalid reference format: repository name must be lowercase'}}}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "InvalidImageName", Fatal: true,
				Message: `Failed to apply default image tag "API:V1": couldn't parse image name "API:V1": invalid reference format: repository name must be lowercase`,
			}},
		},
		{
			name: "missing secret",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Pending
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: CreateContainerConfigError, message: secret "db-credentials" not found}}}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "CreateContainerConfigError", Fatal: true,
				Message: `secret "db-credentials" not found`,
			}},
			strings: []string{`pod api-7d9f-x2: container api: CreateContainerConfigError: secret "db-credentials" not found`},
		},
		{
			name: "run container error",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1, command: [/bin/serve]}]
status:
  phase: Running
  containerStatuses:
  - name: api
    image: api:v1
    imageID: ""
    ready: false
    restartCount: 1
    state:
      waiting:
        reason: RunContainerError
        message: 'failed to create containerd task: exec: "/bin/serve": stat /bin/serve: no such file or directory'
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "RunContainerError", Restarts: 1, Fatal: true,
				Message: `failed to create containerd task: exec: "/bin/serve": stat /bin/serve: no such file or directory`,
			}},
			strings: []string{`pod api-7d9f-x2: container api: RunContainerError: 1 restart: failed to create containerd task: exec: "/bin/serve": stat /bin/serve: no such file or directory`},
		},
		{
			name: "crash loop reports the last exit",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Running
  containerStatuses:
  - name: api
    image: api:v1
    imageID: ""
    ready: false
    restartCount: 4
    state:
      waiting: {reason: CrashLoopBackOff, message: back-off 1m20s restarting failed container=api pod=api-7d9f-x2_default(1234)}
    lastState:
      terminated: {exitCode: 3, reason: Error}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "CrashLoopBackOff",
				ExitCode: code(3), ExitReason: "Error", Restarts: 4, Fatal: true,
			}},
			strings: []string{`pod api-7d9f-x2: container api: CrashLoopBackOff: exit code 3 (Error), 4 restarts`},
		},
		{
			name: "crash loop with a termination message on several lines",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1, terminationMessagePolicy: FallbackToLogsOnError}]
status:
  phase: Running
  containerStatuses:
  - name: api
    image: api:v1
    imageID: ""
    ready: false
    restartCount: 2
    state:
      waiting: {reason: CrashLoopBackOff}
    lastState:
      terminated:
        exitCode: 2
        reason: Error
        message: |
          panic: DATABASE_URL is not set

          goroutine 1 [running]:
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "CrashLoopBackOff",
				ExitCode: code(2), ExitReason: "Error", Restarts: 2, Fatal: true,
				Message: "panic: DATABASE_URL is not set\n\ngoroutine 1 [running]:\n",
			}},
			strings: []string{`pod api-7d9f-x2: container api: CrashLoopBackOff: exit code 2 (Error), 2 restarts: panic: DATABASE_URL is not set goroutine 1 [running]:`},
		},
		{
			name: "crash loop without last state keeps the kubelet message",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Running
  containerStatuses:
  - name: api
    image: api:v1
    imageID: ""
    ready: false
    restartCount: 1
    state:
      waiting: {reason: CrashLoopBackOff, message: back-off 10s restarting failed container=api pod=api-7d9f-x2_default(1234)}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "CrashLoopBackOff", Restarts: 1, Fatal: true,
				Message: "back-off 10s restarting failed container=api pod=api-7d9f-x2_default(1234)",
			}},
		},
		{
			name: "OOMKilled behind CrashLoopBackOff",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers:
  - name: api
    image: api:v1
    resources: {limits: {memory: 128Mi}, requests: {memory: 64Mi}}
status:
  phase: Running
  containerStatuses:
  - name: api
    image: api:v1
    imageID: ""
    ready: false
    restartCount: 3
    state:
      waiting: {reason: CrashLoopBackOff, message: back-off 40s restarting failed container=api}
    lastState:
      terminated: {exitCode: 137, reason: OOMKilled}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "OOMKilled", Message: "memory limit 128Mi exceeded",
				ExitCode: code(137), ExitReason: "OOMKilled", Restarts: 3, Fatal: true,
			}},
			strings: []string{`pod api-7d9f-x2: container api: OOMKilled: exit code 137, 3 restarts: memory limit 128Mi exceeded`},
		},
		{
			name: "OOMKilled right now, without a memory limit",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Running
  containerStatuses:
  - name: api
    image: api:v1
    imageID: ""
    ready: false
    restartCount: 0
    state:
      terminated: {exitCode: 137, reason: OOMKilled}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "OOMKilled", Message: "out of memory, with no memory limit set",
				ExitCode: code(137), ExitReason: "OOMKilled", Fatal: true,
			}},
		},
		{
			name: "init container crash loop",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  initContainers:
  - {name: wait-db, image: busybox}
  - {name: migrate, image: api:v1}
  containers: [{name: api, image: api:v1}]
status:
  phase: Pending
  conditions:
  - {type: Initialized, status: "False", reason: ContainersNotInitialized, message: 'containers with incomplete status: [migrate]'}
  initContainerStatuses:
  - {name: wait-db, image: busybox, imageID: "", ready: true, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
  - name: migrate
    image: api:v1
    imageID: ""
    ready: false
    restartCount: 2
    state: {waiting: {reason: CrashLoopBackOff}}
    lastState: {terminated: {exitCode: 1, reason: Error, message: relation "users" already exists}}
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "migrate", InitContainer: true, Reason: "CrashLoopBackOff",
				Message: `relation "users" already exists`, ExitCode: code(1), ExitReason: "Error", Restarts: 2, Fatal: true,
			}},
			strings: []string{`pod api-7d9f-x2: init container migrate: CrashLoopBackOff: exit code 1 (Error), 2 restarts: relation "users" already exists`},
		},
		{
			name: "init container failed in a pod that never restarts",
			manifest: `
metadata: {name: setup}
spec:
  restartPolicy: Never
  initContainers: [{name: fetch, image: curl}]
  containers: [{name: main, image: api:v1}]
status:
  phase: Failed
  initContainerStatuses:
  - {name: fetch, image: curl, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 6, reason: Error}}}
  containerStatuses:
  - {name: main, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`,
			want: []Problem{{
				Pod: "setup", Container: "fetch", InitContainer: true, Reason: "Error",
				ExitCode: code(6), ExitReason: "Error", Fatal: true,
			}},
			strings: []string{`pod setup: init container fetch: Error: exit code 6`},
		},
		{
			name: "unschedulable",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1, resources: {requests: {cpu: "64"}}}]
status:
  phase: Pending
  conditions:
  - type: PodScheduled
    status: "False"
    reason: Unschedulable
    message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.'
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Reason: "Unschedulable", Fatal: true,
				Message: "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
			}},
			strings: []string{`pod api-7d9f-x2: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.`},
		},
		{
			name: "scheduling gated is not fatal",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  schedulingGates: [{name: example.com/quota}]
  containers: [{name: api, image: api:v1}]
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: SchedulingGated, message: Scheduling is blocked due to non-empty scheduling gates}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Reason: "SchedulingGated", Message: "Scheduling is blocked due to non-empty scheduling gates",
			}},
		},
		{
			name: "running but not ready",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1, readinessProbe: {httpGet: {path: /healthz, port: 8080}}}]
status:
  phase: Running
  conditions: [{type: Ready, status: "False", reason: ContainersNotReady}]
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, started: true, restartCount: 0, state: {running: {}}}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "NotReady", Message: "container api is running but not ready",
			}},
			strings: []string{`pod api-7d9f-x2: container api: NotReady: container api is running but not ready`},
		},
		{
			name: "sidecar init container not ready",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  initContainers: [{name: proxy, image: envoy, restartPolicy: Always}]
  containers: [{name: api, image: api:v1}]
status:
  phase: Running
  initContainerStatuses:
  - {name: proxy, image: envoy, imageID: "", ready: false, started: true, restartCount: 0, state: {running: {}}}
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: true, restartCount: 0, state: {running: {}}}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "proxy", InitContainer: true, Reason: "NotReady", Message: "init container proxy is running but not ready",
			}},
		},
		{
			name: "failed job pod",
			manifest: `
metadata: {name: migrate-x7k2p}
spec:
  restartPolicy: Never
  containers: [{name: main, image: api:v1}]
status:
  phase: Failed
  containerStatuses:
  - {name: main, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 2, reason: Error, message: "migration 0042 failed\n"}}}
`,
			want: []Problem{{
				Pod: "migrate-x7k2p", Container: "main", Reason: "Error", Message: "migration 0042 failed\n",
				ExitCode: code(2), ExitReason: "Error", Fatal: true,
			}},
			strings: []string{`pod migrate-x7k2p: container main: Error: exit code 2: migration 0042 failed`},
		},
		{
			name: "container exited in a running pod that never restarts",
			manifest: `
metadata: {name: pair}
spec:
  restartPolicy: Never
  containers: [{name: web, image: nginx}, {name: worker, image: api:v1}]
status:
  phase: Running
  containerStatuses:
  - {name: web, image: nginx, imageID: "", ready: true, restartCount: 0, state: {running: {}}}
  - {name: worker, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 1}}}
`,
			want: []Problem{{
				Pod: "pair", Container: "worker", Reason: "Error", ExitCode: code(1), Fatal: true,
			}},
			strings: []string{`pod pair: container worker: Error: exit code 1`},
		},
		{
			name: "container exited and about to restart is not fatal",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Running
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 1, reason: Error}}}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "Error", ExitCode: code(1), ExitReason: "Error",
			}},
		},
		{
			name: "evicted pod",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Failed
  reason: Evicted
  message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi.'
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 137, reason: ContainerStatusUnknown, message: The container could not be located when the pod was terminated}}}
`,
			want: []Problem{
				{Pod: "api-7d9f-x2", Reason: "Evicted", Message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi.", Fatal: true},
				{
					Pod: "api-7d9f-x2", Container: "api", Reason: "ContainerStatusUnknown", Message: "The container could not be located when the pod was terminated",
					ExitCode: code(137), ExitReason: "ContainerStatusUnknown", Fatal: true,
				},
			},
			strings: []string{
				`pod api-7d9f-x2: Evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi.`,
				`pod api-7d9f-x2: container api: ContainerStatusUnknown: exit code 137: The container could not be located when the pod was terminated`,
			},
		},
		{
			name: "failed pod without details",
			manifest: `
metadata: {name: ghost}
spec:
  containers: [{name: main, image: busybox}]
status: {phase: Failed}
`,
			want: []Problem{{Pod: "ghost", Reason: "Failed", Message: "the pod failed", Fatal: true}},
		},
		{
			name: "unknown waiting reason is not fatal",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers: [{name: api, image: api:v1}]
status:
  phase: Pending
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PreStartHookError, message: 'Exec lifecycle hook ([/bin/prepare]) for Container "api" failed'}}}
`,
			want: []Problem{{
				Pod: "api-7d9f-x2", Container: "api", Reason: "PreStartHookError", Message: `Exec lifecycle hook ([/bin/prepare]) for Container "api" failed`,
			}},
		},
		{
			name: "fatal first, then spec order, though statuses are sorted by name",
			manifest: `
metadata: {name: api-7d9f-x2}
spec:
  containers:
  - {name: web, image: nginx}
  - {name: api, image: api:v1}
  - {name: cache, image: "redis:nope"}
status:
  phase: Running
  containerStatuses:
  - {name: api, image: api:v1, imageID: "", ready: false, restartCount: 0, state: {running: {}}}
  - name: cache
    image: redis:nope
    imageID: ""
    ready: false
    restartCount: 0
    state: {waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image "redis:nope"'}}
  - name: web
    image: nginx
    imageID: ""
    ready: false
    restartCount: 5
    state: {waiting: {reason: CrashLoopBackOff}}
    lastState: {terminated: {exitCode: 1, reason: Error}}
`,
			want: []Problem{
				{Pod: "api-7d9f-x2", Container: "web", Reason: "CrashLoopBackOff", ExitCode: code(1), ExitReason: "Error", Restarts: 5, Fatal: true},
				{Pod: "api-7d9f-x2", Container: "cache", Reason: "ImagePullBackOff", Message: `Back-off pulling image "redis:nope"`, Fatal: true},
				{Pod: "api-7d9f-x2", Container: "api", Reason: "NotReady", Message: "container api is running but not ready"},
			},
		},
		{
			name: "status without spec keeps status order",
			manifest: `
metadata: {name: bare}
status:
  phase: Running
  containerStatuses:
  - {name: a, image: x, imageID: "", ready: false, restartCount: 0, state: {running: {}}}
  - {name: b, image: x, imageID: "", ready: false, restartCount: 0, state: {running: {}}}
`,
			want: []Problem{
				{Pod: "bare", Container: "a", Reason: "NotReady", Message: "container a is running but not ready"},
				{Pod: "bare", Container: "b", Reason: "NotReady", Message: "container b is running but not ready"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Diagnose(podFrom(t, tc.manifest))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("Diagnose() mismatch (-want +got):\n%s", diff)
			}
			if tc.strings == nil {
				return
			}
			var strs []string
			for _, p := range got {
				strs = append(strs, p.String())
			}
			if diff := cmp.Diff(tc.strings, strs); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiagnoseNil(t *testing.T) {
	if got := Diagnose(nil); got != nil {
		t.Errorf("Diagnose(nil) = %v, want nil", got)
	}
}

// TestDiagnoseDoesNotAlias checks that ExitCode points to a copy: changing
// the pod afterwards must not change the problem.
func TestDiagnoseDoesNotAlias(t *testing.T) {
	pod := podFrom(t, `
metadata: {name: p}
spec: {restartPolicy: Never}
status:
  phase: Failed
  containerStatuses:
  - {name: c, image: x, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 2, reason: Error}}}
`)
	ps := Diagnose(pod)
	pod.Status.ContainerStatuses[0].State.Terminated.ExitCode = 99
	if len(ps) != 1 || ps[0].ExitCode == nil || *ps[0].ExitCode != 2 {
		t.Errorf("ExitCode changed with the pod: %+v", ps)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Pod: "p", Reason: "Unschedulable", Message: "0/3 nodes are available: 3 Insufficient cpu."}, "pod p: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."},
		{Problem{Pod: "p", Container: "c", Reason: "CrashLoopBackOff", ExitCode: code(3), ExitReason: "Error", Restarts: 4}, "pod p: container c: CrashLoopBackOff: exit code 3 (Error), 4 restarts"},
		{Problem{Pod: "p", Container: "c", Reason: "CrashLoopBackOff", ExitCode: code(0), ExitReason: "Completed", Restarts: 1}, "pod p: container c: CrashLoopBackOff: exit code 0 (Completed), 1 restart"},
		{Problem{Pod: "p", Container: "c", Reason: "OOMKilled", ExitCode: code(137), ExitReason: "OOMKilled"}, "pod p: container c: OOMKilled: exit code 137"},
		{Problem{Pod: "p", Container: "c", InitContainer: true, Reason: "Error", ExitCode: code(1)}, "pod p: init container c: Error: exit code 1"},
		{Problem{Pod: "p", Container: "c", Reason: "NotReady", Message: "  line one\n\tline two  \n", Restarts: 2}, "pod p: container c: NotReady: 2 restarts: line one line two"},
	}
	for _, tc := range tests {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestIsFatal(t *testing.T) {
	if IsFatal(nil) {
		t.Error("IsFatal(nil) = true")
	}
	if IsFatal([]Problem{{Reason: "NotReady"}, {Reason: "SchedulingGated"}}) {
		t.Error("IsFatal(non-fatal problems) = true")
	}
	if !IsFatal([]Problem{{Reason: "NotReady"}, {Reason: "ImagePullBackOff", Fatal: true}}) {
		t.Error("IsFatal(one fatal problem) = false")
	}
}
