package status

import "testing"

func TestComputeJob(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "not started",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, generation: 1}
spec: {completions: 1, parallelism: 1, backoffLimit: 6}
`,
			want: Result{Status: InProgress, Message: `Waiting for job "migrate" to complete: 0 of 1 succeeded, 0 active, 0 failed`},
		},
		{
			name: "running is not done",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, generation: 1}
spec: {completions: 1, parallelism: 1, backoffLimit: 6}
status: {startTime: "2026-01-02T03:04:05Z", active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {}}
`,
			want: Result{Status: InProgress, Message: `Waiting for job "migrate" to complete: 0 of 1 succeeded, 1 active, 0 failed`},
		},
		{
			name: "retrying after failures",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 3, parallelism: 1}
status: {active: 1, succeeded: 1, failed: 2}
`,
			want: Result{Status: InProgress, Message: `Waiting for job "migrate" to complete: 1 of 3 succeeded, 1 active, 2 failed`},
		},
		{
			name: "work queue without completions",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: queue}
spec: {parallelism: 4}
status: {active: 4}
`,
			want: Result{Status: InProgress, Message: `Waiting for job "queue" to complete: 0 succeeded, 4 active, 0 failed`},
		},
		{
			name: "complete",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 1}
status:
  succeeded: 1
  conditions:
  - {type: SuccessCriteriaMet, status: "True", reason: CompletionsReached, message: Reached expected number of succeeded pods}
  - {type: Complete, status: "True", reason: CompletionsReached, message: Reached expected number of succeeded pods}
`,
			want: Result{Status: Current, Message: `job "migrate" completed: 1 succeeded`},
		},
		{
			name: "success criteria met while pods terminate",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 2}
status:
  succeeded: 2
  terminating: 1
  conditions:
  - {type: SuccessCriteriaMet, status: "True", reason: CompletionsReached}
`,
			want: Result{Status: Current, Message: `job "migrate" succeeded; its pods are finishing`},
		},
		{
			name: "complete condition false is not done",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 1}
status:
  active: 1
  conditions:
  - {type: Complete, status: "False"}
`,
			want: Result{Status: InProgress, Message: `Waiting for job "migrate" to complete: 0 of 1 succeeded, 1 active, 0 failed`},
		},
		{
			name: "backoff limit exceeded",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 1, backoffLimit: 2}
status:
  failed: 3
  conditions:
  - {type: FailureTarget, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}
  - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}
`,
			want: Result{Status: Failed, Message: `job "migrate" failed: BackoffLimitExceeded: Job has reached the specified backoff limit`},
		},
		{
			name: "deadline exceeded",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {activeDeadlineSeconds: 60}
status:
  failed: 1
  conditions:
  - {type: Failed, status: "True", reason: DeadlineExceeded, message: Job was active longer than specified deadline}
`,
			want: Result{Status: Failed, Message: `job "migrate" failed: DeadlineExceeded: Job was active longer than specified deadline`},
		},
		{
			name: "failure target before failed",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 1}
status:
  failed: 1
  terminating: 1
  conditions:
  - type: FailureTarget
    status: "True"
    reason: PodFailurePolicy
    message: Container main for pod default/migrate-x7k2p failed with exit code 42 matching FailJob rule at index 0
`,
			want: Result{Status: Failed, Message: `job "migrate" failed: PodFailurePolicy: Container main for pod default/migrate-x7k2p failed with exit code 42 matching FailJob rule at index 0`},
		},
		{
			name: "suspended",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec: {suspend: true, completions: 5}
status:
  conditions:
  - {type: Suspended, status: "True", reason: JobSuspended, message: Job suspended}
`,
			want: Result{Status: Current, Message: `job "batch" is suspended: it is not awaited`},
		},
		{
			name: "suspended after failing is failed",
			manifest: `
apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec: {suspend: true}
status:
  conditions:
  - {type: Failed, status: "True", reason: BackoffLimitExceeded}
`,
			want: Result{Status: Failed, Message: `job "batch" failed: BackoffLimitExceeded`},
		},
		{
			name: "cronjob",
			manifest: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, generation: 1}
spec: {schedule: "0 3 * * *"}
`,
			want: Result{Status: Current, Message: `cronjob "nightly" has nothing to wait for`},
		},
	})
}
