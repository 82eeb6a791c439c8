package status

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Status is an object's rollout state in kstatus' vocabulary.
type Status string

const (
	// InProgress means the object is still changing towards its desired
	// state; waiting longer may make it Current.
	InProgress Status = "InProgress"
	// Current means the object has reached its desired state: the rollout
	// of this object is done.
	Current Status = "Current"
	// Failed means the object cannot reach its desired state without
	// someone changing it: waiting longer will not help.
	Failed Status = "Failed"
	// Terminating means the object is being deleted (it has a
	// metadata.deletionTimestamp, or it is a Namespace in phase Terminating).
	Terminating Status = "Terminating"
	// NotFound means the object does not exist.
	NotFound Status = "NotFound"
	// Unknown means kship cannot judge the object: it is a custom resource
	// whose status has fields, but neither a condition kship knows nor an
	// observedGeneration. Waiting would not tell more, so a wait settles on
	// it, and the message says what kship saw.
	Unknown Status = "Unknown"
)

// Result is the judgement of one object.
type Result struct {
	// Status is the object's rollout state.
	Status Status
	// Message says why, in kubectl's wording where kubectl has one, e.g.
	// `Waiting for deployment "api" rollout to finish: 1 of 2 updated
	// replicas are available...` or `deployment "api" successfully rolled
	// out`. It is a single line without a trailing newline.
	Message string
}

// computeFunc judges one kind of object. It is only called for objects that
// exist and are not being deleted.
type computeFunc func(u *unstructured.Unstructured) Result

// kinds maps "group/Kind" ("Kind" for the core group) to its rules. Kinds
// not listed here get the generic rules of computeGeneric.
var kinds = map[string]computeFunc{
	"apps/Deployment":                     computeDeployment,
	"extensions/Deployment":               computeDeployment,
	"apps/StatefulSet":                    computeStatefulSet,
	"apps/DaemonSet":                      computeDaemonSet,
	"extensions/DaemonSet":                computeDaemonSet,
	"apps/ReplicaSet":                     computeReplicaSet,
	"extensions/ReplicaSet":               computeReplicaSet,
	"ReplicationController":               computeReplicaSet,
	"batch/Job":                           computeJob,
	"batch/CronJob":                       computeCronJob,
	"Pod":                                 computePod,
	"PersistentVolumeClaim":               computePVC,
	"Namespace":                           computeNamespace,
	"Service":                             computeService,
	"policy/PodDisruptionBudget":          computePDB,
	"autoscaling/HorizontalPodAutoscaler": computeHPA,
	"apiextensions.k8s.io/CustomResourceDefinition": computeCRD,
	"apiregistration.k8s.io/APIService":             computeAPIService,
}

// Compute judges obj (nil means NotFound).
//
// Any object with a metadata.deletionTimestamp is Terminating. Deployments,
// StatefulSets and DaemonSets follow `kubectl rollout status`; Jobs are
// Current only once complete; other built-in kinds have rules of their own
// (see the package documentation); any other kind follows the generic rules
// of kstatus, widened: status.observedGeneration, then the conditions of
// knownConditions (Stalled, Reconciling, Ready, Available...), Current when
// there is nothing to wait for, and Unknown for a custom resource whose
// status kship cannot read.
func Compute(obj *unstructured.Unstructured) Result {
	if obj == nil {
		return Result{Status: NotFound, Message: "not found"}
	}
	if obj.GetDeletionTimestamp() != nil {
		return terminating(obj)
	}
	gvk := obj.GroupVersionKind()
	key := gvk.Kind
	if gvk.Group != "" {
		key = gvk.Group + "/" + gvk.Kind
	}
	if f, ok := kinds[key]; ok {
		return f(obj)
	}
	return computeGeneric(obj)
}

// Rules judge the kinds they have a rule for, in place of Compute's own
// judgement (kship.yaml's readiness rules, see package readiness).
type Rules interface {
	// Has reports whether there is a rule for the kind of group and kind.
	Has(group, kind string) bool
	// Judge judges obj, which exists and is not being deleted.
	Judge(obj *unstructured.Unstructured) Result
}

// ComputeWith is Compute, with rules judging the kinds they have a rule
// for; rules may be nil.
func ComputeWith(obj *unstructured.Unstructured, rules Rules) Result {
	if rules == nil || obj == nil || obj.GetDeletionTimestamp() != nil {
		return Compute(obj)
	}
	if gvk := obj.GroupVersionKind(); rules.Has(gvk.Group, gvk.Kind) {
		return rules.Judge(obj)
	}
	return Compute(obj)
}

func terminating(u *unstructured.Unstructured) Result {
	msg := fmt.Sprintf("%s is being deleted", ref(u))
	if fin := u.GetFinalizers(); len(fin) > 0 {
		msg += fmt.Sprintf(" (waiting for finalizers: %s)", strings.Join(fin, ", "))
	}
	return Result{Status: Terminating, Message: msg}
}

// ref names an object the way kubectl does in messages: `deployment "api"`.
func ref(u *unstructured.Unstructured) string {
	return fmt.Sprintf("%s %q", strings.ToLower(u.GetKind()), u.GetName())
}

func inProgress(format string, args ...any) Result {
	return Result{Status: InProgress, Message: fmt.Sprintf(format, args...)}
}

func current(format string, args ...any) Result {
	return Result{Status: Current, Message: fmt.Sprintf(format, args...)}
}

func failed(format string, args ...any) Result {
	return Result{Status: Failed, Message: fmt.Sprintf(format, args...)}
}
