package deploy

import (
	"slices"

	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// PhaseAnnotation puts an object in a phase: PreDeploy or PostDeploy.
const PhaseAnnotation = "kship.dev/phase"

// TimeoutAnnotation bounds the wait for one object, as a Go duration
// ("10m"), within the deploy's --timeout.
const TimeoutAnnotation = "kship.dev/timeout"

// PreDeploy is the PhaseAnnotation value for Jobs that must finish before
// workloads change, such as a database migration.
const PreDeploy = "pre-deploy"

// PostDeploy is the PhaseAnnotation value for Jobs that run once every
// workload is ready, such as a smoke test: the deploy fails if they do.
const PostDeploy = "post-deploy"

// The phases, in order.
const (
	PhaseNamespaces = "namespaces"
	PhaseConfig     = "config"
	PhasePreDeploy  = "pre-deploy"
	PhaseWorkloads  = "workloads"
	PhasePostDeploy = "post-deploy"
)

// Phase is a group of objects applied together and waited on before the next.
type Phase struct {
	Name    string
	Objects []*unstructured.Unstructured
}

var clusterSetup = map[schema.GroupKind]bool{
	{Kind: "Namespace"}: true,
	object.CRDKind:      true,
}

// configKinds are applied before anything that may use them: the kinds
// nothing reconciles (status.Static: ConfigMaps, Secrets, RBAC...) and these.
var configKinds = map[schema.GroupKind]bool{
	{Kind: "PersistentVolumeClaim"}: true,
	{Kind: "PersistentVolume"}:      true,
	{Kind: "Service"}:               true,
	{Kind: "ResourceQuota"}:         true,
}

// phaseOrder is the order the phases are applied in.
var phaseOrder = []string{PhaseNamespaces, PhaseConfig, PhasePreDeploy, PhaseWorkloads, PhasePostDeploy}

// Rank is the place of the phase an object of kind gk with annotations
// is applied in: 0 for the first phase. Deleting in the reverse order
// removes what uses an object before the object.
func Rank(gk schema.GroupKind, annotations map[string]string) int {
	p := phaseFor(gk, annotations)
	for i, name := range phaseOrder {
		if name == p {
			return i
		}
	}
	return slices.Index(phaseOrder, PhaseWorkloads)
}

// HookPhase reports whether objects of a phase are Jobs run for the
// deploy (pre-deploy, post-deploy): their logs are shown, and a rollback
// does not run them again.
func HookPhase(phase string) bool { return phase == PhasePreDeploy || phase == PhasePostDeploy }

// IsHook reports whether o is in a hook phase (see HookPhase).
func IsHook(o *unstructured.Unstructured) bool { return HookPhase(phaseOf(o)) }

// fromWorkloads reports whether phase comes at or after the workloads:
// where what is waited for with them (PVCs) is waited for.
func fromWorkloads(phase string) bool {
	return slices.Index(phaseOrder, phase) >= slices.Index(phaseOrder, PhaseWorkloads)
}

// Phases splits objs into the non-empty phases, keeping the build's order
// within each.
func Phases(objs []*unstructured.Unstructured) []Phase {
	order := phaseOrder
	by := map[string][]*unstructured.Unstructured{}
	for _, o := range objs {
		p := phaseOf(o)
		by[p] = append(by[p], o)
	}
	var out []Phase
	for _, name := range order {
		if len(by[name]) > 0 {
			out = append(out, Phase{Name: name, Objects: by[name]})
		}
	}
	return out
}

func phaseOf(o *unstructured.Unstructured) string {
	return phaseFor(o.GroupVersionKind().GroupKind(), o.GetAnnotations())
}

func phaseFor(gk schema.GroupKind, annotations map[string]string) string {
	switch {
	case annotations[PhaseAnnotation] == PreDeploy:
		return PhasePreDeploy
	case annotations[PhaseAnnotation] == PostDeploy:
		return PhasePostDeploy
	case clusterSetup[gk]:
		return PhaseNamespaces
	case configKinds[gk] || status.Static(gk):
		return PhaseConfig
	}
	return PhaseWorkloads
}

// waitsInPhase reports whether a phase waits for o before moving on. A PVC
// is not waited for before workloads: with WaitForFirstConsumer storage it
// binds only once a pod uses it. It is waited for with the workloads.
func waitsInPhase(phase string, o *unstructured.Unstructured) bool {
	return !(phase == PhaseConfig && o.GetKind() == "PersistentVolumeClaim" && o.GroupVersionKind().Group == "")
}

// objsOf returns the objects of every phase, in order.
func objsOf(phases []Phase) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, p := range phases {
		out = append(out, p.Objects...)
	}
	return out
}
