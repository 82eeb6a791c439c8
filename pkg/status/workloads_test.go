package status

import "testing"

func TestComputeDeployment(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "spec update not observed",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 3}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2}
`,
			want: Result{Status: InProgress, Message: "Waiting for deployment spec update to be observed..."},
		},
		{
			name: "fresh deployment without status",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 1}
spec: {replicas: 2}
`,
			want: Result{Status: InProgress, Message: "Waiting for deployment spec update to be observed..."},
		},
		{
			name: "progress deadline exceeded",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 2}
spec: {replicas: 2, progressDeadlineSeconds: 600}
status:
  observedGeneration: 2
  replicas: 3
  updatedReplicas: 1
  availableReplicas: 2
  unavailableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - type: Progressing
    status: "False"
    reason: ProgressDeadlineExceeded
    message: ReplicaSet "api-7d9f" has timed out progressing.
`,
			want: Result{Status: Failed, Message: `deployment "api" exceeded its progress deadline`},
		},
		{
			name: "stale progress deadline of the previous generation",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 3}
spec: {replicas: 2}
status:
  observedGeneration: 2
  conditions:
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded}
`,
			want: Result{Status: InProgress, Message: "Waiting for deployment spec update to be observed..."},
		},
		{
			name: "new replicas not all updated",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 2}
spec: {replicas: 2}
status:
  observedGeneration: 2
  replicas: 3
  updatedReplicas: 1
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
`,
			want: Result{Status: InProgress, Message: `Waiting for deployment "api" rollout to finish: 1 out of 2 new replicas have been updated...`},
		},
		{
			name: "old replicas pending termination",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 2}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 3, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3}
`,
			want: Result{Status: InProgress, Message: `Waiting for deployment "api" rollout to finish: 1 old replicas are pending termination...`},
		},
		{
			name: "updated replicas not all available",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 2}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1}
`,
			want: Result{Status: InProgress, Message: `Waiting for deployment "api" rollout to finish: 1 of 2 updated replicas are available...`},
		},
		{
			name: "rolled out",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 2}
spec: {replicas: 2}
status:
  observedGeneration: 2
  replicas: 2
  updatedReplicas: 2
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
`,
			want: Result{Status: Current, Message: `deployment "api" successfully rolled out`},
		},
		{
			name: "replicas default to 1",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 1}
status: {observedGeneration: 1}
`,
			want: Result{Status: InProgress, Message: `Waiting for deployment "api" rollout to finish: 0 out of 1 new replicas have been updated...`},
		},
		{
			name: "scaled to zero",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 4}
spec: {replicas: 0}
status: {observedGeneration: 4}
`,
			want: Result{Status: Current, Message: `deployment "api" successfully rolled out`},
		},
		{
			name: "paused and observed",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 5}
spec: {replicas: 2, paused: true}
status:
  observedGeneration: 5
  replicas: 2
  updatedReplicas: 0
  availableReplicas: 2
  conditions:
  - {type: Progressing, status: Unknown, reason: DeploymentPaused}
`,
			want: Result{Status: Current, Message: `deployment "api" is paused: its rollout is not awaited`},
		},
		{
			name: "paused but not observed",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 6}
spec: {replicas: 2, paused: true}
status: {observedGeneration: 5}
`,
			want: Result{Status: InProgress, Message: "Waiting for deployment spec update to be observed..."},
		},
		{
			name: "replica failure is quoted",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, generation: 1}
spec: {replicas: 2}
status:
  observedGeneration: 1
  replicas: 1
  updatedReplicas: 1
  availableReplicas: 1
  conditions:
  - type: ReplicaFailure
    status: "True"
    reason: FailedCreate
    message: 'pods "api-7d9f-abcde" is forbidden: exceeded quota: compute, requested: cpu=500m, used: cpu=1, limited: cpu=1'
`,
			want: Result{Status: InProgress, Message: `Waiting for deployment "api" rollout to finish: 1 out of 2 new replicas have been updated... (FailedCreate: pods "api-7d9f-abcde" is forbidden: exceeded quota: compute, requested: cpu=500m, used: cpu=1, limited: cpu=1)`},
		},
		{
			name: "extensions/v1beta1 deployment",
			manifest: `
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: legacy, generation: 1}
spec: {replicas: 1}
status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1}
`,
			want: Result{Status: Current, Message: `deployment "legacy" successfully rolled out`},
		},
	})
}

func TestComputeStatefulSet(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "never observed",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 3}
`,
			want: Result{Status: InProgress, Message: "Waiting for statefulset spec update to be observed..."},
		},
		{
			name: "spec update not observed",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 3}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, currentRevision: db-1, updateRevision: db-1}
`,
			want: Result{Status: InProgress, Message: "Waiting for statefulset spec update to be observed..."},
		},
		{
			name: "OnDelete is current once observed",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec:
  replicas: 3
  updateStrategy: {type: OnDelete}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 0, currentRevision: db-1, updateRevision: db-2}
`,
			want: Result{Status: Current, Message: `statefulset "db" uses the OnDelete update strategy: its pods change only when deleted`},
		},
		{
			name: "OnDelete not observed",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 3}
spec:
  replicas: 3
  updateStrategy: {type: OnDelete}
status: {observedGeneration: 2}
`,
			want: Result{Status: InProgress, Message: "Waiting for statefulset spec update to be observed..."},
		},
		{
			name: "pods not ready",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status: {observedGeneration: 1, replicas: 2, readyReplicas: 1, currentRevision: db-1, updateRevision: db-1}
`,
			want: Result{Status: InProgress, Message: "Waiting for 2 pods to be ready..."},
		},
		{
			name: "replicas default to 1",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
status: {observedGeneration: 1}
`,
			want: Result{Status: InProgress, Message: "Waiting for 1 pods to be ready..."},
		},
		{
			name: "scale down pending",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, currentRevision: db-1, updateRevision: db-1}
`,
			want: Result{Status: InProgress, Message: "Waiting for 1 pods to be terminated..."},
		},
		{
			name: "partitioned rollout not finished",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec:
  replicas: 5
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}
status: {observedGeneration: 2, replicas: 5, readyReplicas: 5, updatedReplicas: 1, currentReplicas: 4, currentRevision: db-1, updateRevision: db-2}
`,
			want: Result{Status: InProgress, Message: "Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated..."},
		},
		{
			name: "partitioned rollout complete although revisions differ",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec:
  replicas: 5
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}
status: {observedGeneration: 2, replicas: 5, readyReplicas: 5, updatedReplicas: 3, currentReplicas: 2, currentRevision: db-1, updateRevision: db-2}
`,
			want: Result{Status: Current, Message: "partitioned roll out complete: 3 new pods have been updated..."},
		},
		{
			name: "partition above replicas updates nothing",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 5}}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 0, currentRevision: db-1, updateRevision: db-2}
`,
			want: Result{Status: Current, Message: "partitioned roll out complete: 0 new pods have been updated..."},
		},
		{
			name: "rolling update in progress",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 1, currentReplicas: 2, currentRevision: db-6c5b8d, updateRevision: db-7f9a1c}
`,
			want: Result{Status: InProgress, Message: "waiting for statefulset rolling update to complete 1 pods at revision db-7f9a1c..."},
		},
		{
			name: "rolling update complete",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 3, currentRevision: db-7f9a1c, updateRevision: db-7f9a1c}
`,
			want: Result{Status: Current, Message: "statefulset rolling update complete 3 pods at revision db-7f9a1c..."},
		},
		{
			name: "no update strategy block",
			manifest: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 1}
status: {observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentReplicas: 1, currentRevision: db-1, updateRevision: db-1}
`,
			want: Result{Status: Current, Message: "statefulset rolling update complete 1 pods at revision db-1..."},
		},
	})
}

func TestComputeDaemonSet(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "spec update not observed",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
status: {observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3}
`,
			want: Result{Status: InProgress, Message: "Waiting for daemon set spec update to be observed..."},
		},
		{
			name: "pods not all updated",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
spec: {updateStrategy: {type: RollingUpdate}}
status: {observedGeneration: 2, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3, numberReady: 3}
`,
			want: Result{Status: InProgress, Message: `Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...`},
		},
		{
			name: "pods not all available",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
spec: {updateStrategy: {type: RollingUpdate}}
status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2, numberReady: 2}
`,
			want: Result{Status: InProgress, Message: `Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available...`},
		},
		{
			name: "rolled out",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
spec: {updateStrategy: {type: RollingUpdate}}
status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 3}
`,
			want: Result{Status: Current, Message: `daemon set "agent" successfully rolled out`},
		},
		{
			name: "no eligible node",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0}
`,
			want: Result{Status: Current, Message: `daemon set "agent" successfully rolled out`},
		},
		{
			name: "OnDelete is current once observed",
			manifest: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
spec: {updateStrategy: {type: OnDelete}}
status: {observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 0, numberAvailable: 3}
`,
			want: Result{Status: Current, Message: `daemon set "agent" uses the OnDelete update strategy: its pods change only when deleted`},
		},
	})
}

func TestComputeReplicaSet(t *testing.T) {
	runCompute(t, []computeCase{
		{
			name: "not observed",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3}
`,
			want: Result{Status: InProgress, Message: `Waiting for replicaset "web" spec update to be observed...`},
		},
		{
			name: "not ready",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 1, availableReplicas: 1}
`,
			want: Result{Status: InProgress, Message: `Waiting for replicaset "web" to be ready: 1 of 3 replicas are ready...`},
		},
		{
			name: "ready but not available yet (minReadySeconds)",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, generation: 1}
spec: {replicas: 3, minReadySeconds: 30}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 2}
`,
			want: Result{Status: InProgress, Message: `Waiting for replicaset "web" to be ready: 2 of 3 replicas are available...`},
		},
		{
			name: "scale down pending",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, generation: 2}
spec: {replicas: 1}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, availableReplicas: 3}
`,
			want: Result{Status: InProgress, Message: `Waiting for replicaset "web" to scale down: 2 old replicas are pending termination...`},
		},
		{
			name: "replica failure is quoted",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, generation: 1}
spec: {replicas: 2}
status:
  observedGeneration: 1
  replicas: 0
  conditions:
  - {type: ReplicaFailure, status: "True", reason: FailedCreate, message: 'admission webhook "policy.example.com" denied the request'}
`,
			want: Result{Status: InProgress, Message: `Waiting for replicaset "web" to be ready: 0 of 2 replicas are ready... (FailedCreate: admission webhook "policy.example.com" denied the request)`},
		},
		{
			name: "available",
			manifest: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2}
`,
			want: Result{Status: Current, Message: `replicaset "web" has 2 of 2 replicas available`},
		},
		{
			name: "replication controller",
			manifest: `
apiVersion: v1
kind: ReplicationController
metadata: {name: old, generation: 1}
status: {observedGeneration: 1, replicas: 1, readyReplicas: 0, availableReplicas: 0}
`,
			want: Result{Status: InProgress, Message: `Waiting for replicationcontroller "old" to be ready: 0 of 1 replicas are ready...`},
		},
	})
}
