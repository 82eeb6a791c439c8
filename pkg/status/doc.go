// Package status judges whether an object applied to a cluster has finished
// rolling out, and explains in plain words why a pod is not becoming ready.
//
// Everything here is a pure function of the objects passed in: no client, no
// I/O, no clock. A caller watches objects, feeds each new version to
// [Compute], and for workloads that are still in progress feeds their pods to
// [Diagnose] to fail fast with the root cause instead of waiting for a
// timeout.
//
// # Vocabulary
//
// [Status] uses the vocabulary of kstatus (sigs.k8s.io/cli-utils/pkg/kstatus).
// For Deployments, StatefulSets and DaemonSets the rules and the messages are
// those of `kubectl rollout status`.
//
//	status       meaning                                        a wait
//	InProgress   still changing towards its desired state       keeps waiting
//	Current      reached its desired state, or nothing to wait  is done with it
//	Failed       cannot get there without someone changing it   fails at once
//	Terminating  being deleted                                  keeps waiting
//	NotFound     does not exist                                 keeps waiting
//	Unknown      a custom resource kship cannot judge           is done with it
//
// Unknown is for a custom resource whose status has fields but neither a
// condition kship knows nor an observedGeneration: waiting would not tell
// more, and calling it Current would claim a readiness kship did not see.
// Its message names the fields kship saw.
//
// # Decisions that differ from kstatus or kubectl
//
//   - A Job is Current only once it has completed: a running Job is
//     InProgress (kstatus calls it Current as soon as it started). A Job whose
//     condition FailureTarget is True is Failed at once; one whose condition
//     SuccessCriteriaMet is True is Current at once: from Kubernetes 1.31 the
//     Job controller sets these before Failed/Complete and the outcome can no
//     longer change, only the remaining pods are still terminating.
//   - A suspended Job (spec.suspend: true) is Current: it does not run until
//     someone resumes it, so waiting for it could only time out.
//   - A paused Deployment (spec.paused: true) is Current once the controller
//     has observed its generation: the controller does not roll out a paused
//     Deployment, so waiting for it could only time out. kubectl would wait.
//   - StatefulSets and DaemonSets with the OnDelete update strategy are
//     Current once their generation is observed: pods only change when
//     someone deletes them. kubectl refuses to report on them.
//   - A StatefulSet with rollingUpdate.partition 0 (the API default) is also
//     checked for currentRevision == updateRevision, which kubectl skips
//     whenever a rollingUpdate block is present, that is always.
//   - Services are Current right away, LoadBalancer ones included: a cluster
//     without a cloud load-balancer controller (kind, k3d, minikube, bare
//     metal without MetalLB) never fills status.loadBalancer.ingress, and a
//     deploy should not hang on it. The message says when no address was
//     assigned yet.
//   - HorizontalPodAutoscalers are Current: their ScalingActive condition is
//     False on any cluster without metrics-server, which says nothing about
//     the rollout.
//   - Kinds without rules of their own (custom resources above all) are
//     judged by status.observedGeneration and by the conditions whose
//     meaning is the same across the ecosystem (see knownConditions):
//     Ready, Available, Synced, Accepted, Programmed, Complete and
//     Succeeded must be True; Reconciling=True and Degraded=True keep the
//     object InProgress. A Ready=False condition is InProgress, never
//     Failed, whatever its reason: many controllers report transient errors
//     that way. Failed are only Stalled=True (kstatus), Failed=True (the Job
//     convention) and Succeeded=False (Knative's and Tekton's convention for
//     a finished run), which state an outcome. kstatus calls a custom
//     resource with none of these Current; kship says Unknown unless it has
//     no status at all, or only empty fields, which many (ServiceMonitors,
//     configuration objects) never get: those have nothing to wait for.
//   - An aggregated APIService waits for Available=True, and shows the
//     condition's reason (MissingEndpoints, FailedDiscoveryCheck...) while
//     it is False; it is never Failed, as its Service's pods usually roll
//     out in the same deploy. A local APIService (no spec.service) is
//     Current.
//   - A ReplicaFailure=True condition (for example a ResourceQuota refusing
//     new pods) keeps a Deployment or ReplicaSet InProgress; its reason and
//     message are appended to the message, as they are the likely root cause.
//   - A bare Pod is Failed only in phase Failed. A Pod that cannot start
//     (CrashLoopBackOff, ImagePullBackOff...) stays InProgress for [Compute],
//     with the first [Problem] from [Diagnose] in the message; whether to give
//     up early is the caller's call, through [IsFatal].
//   - A PersistentVolumeClaim is InProgress until Bound. With a StorageClass
//     whose volumeBindingMode is WaitForFirstConsumer a claim no pod uses
//     stays Pending for ever; only the caller can look the StorageClass up.
package status
