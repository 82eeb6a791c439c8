package builtin

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/apis/admissionregistration"
	admissionregistrationv1 "k8s.io/kubernetes/pkg/apis/admissionregistration/v1"
	"k8s.io/kubernetes/pkg/apis/apps"
	appsv1 "k8s.io/kubernetes/pkg/apis/apps/v1"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	autoscalingv1 "k8s.io/kubernetes/pkg/apis/autoscaling/v1"
	autoscalingv2 "k8s.io/kubernetes/pkg/apis/autoscaling/v2"
	"k8s.io/kubernetes/pkg/apis/batch"
	batchv1 "k8s.io/kubernetes/pkg/apis/batch/v1"
	"k8s.io/kubernetes/pkg/apis/core"
	corev1 "k8s.io/kubernetes/pkg/apis/core/v1"
	"k8s.io/kubernetes/pkg/apis/networking"
	networkingv1 "k8s.io/kubernetes/pkg/apis/networking/v1"
	"k8s.io/kubernetes/pkg/apis/node"
	nodev1 "k8s.io/kubernetes/pkg/apis/node/v1"
	"k8s.io/kubernetes/pkg/apis/policy"
	policyv1 "k8s.io/kubernetes/pkg/apis/policy/v1"
	"k8s.io/kubernetes/pkg/apis/rbac"
	rbacv1 "k8s.io/kubernetes/pkg/apis/rbac/v1"
	"k8s.io/kubernetes/pkg/apis/scheduling"
	schedulingv1 "k8s.io/kubernetes/pkg/apis/scheduling/v1"
	"k8s.io/kubernetes/pkg/apis/storage"
	storagev1 "k8s.io/kubernetes/pkg/apis/storage/v1"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingwebhookconfiguration"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/validatingwebhookconfiguration"
	"k8s.io/kubernetes/pkg/registry/apps/controllerrevision"
	"k8s.io/kubernetes/pkg/registry/apps/daemonset"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/apps/replicaset"
	"k8s.io/kubernetes/pkg/registry/apps/statefulset"
	"k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler"
	"k8s.io/kubernetes/pkg/registry/batch/cronjob"
	"k8s.io/kubernetes/pkg/registry/batch/job"
	"k8s.io/kubernetes/pkg/registry/core/configmap"
	"k8s.io/kubernetes/pkg/registry/core/endpoint"
	"k8s.io/kubernetes/pkg/registry/core/limitrange"
	"k8s.io/kubernetes/pkg/registry/core/namespace"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolume"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim"
	"k8s.io/kubernetes/pkg/registry/core/pod"
	"k8s.io/kubernetes/pkg/registry/core/podtemplate"
	"k8s.io/kubernetes/pkg/registry/core/replicationcontroller"
	"k8s.io/kubernetes/pkg/registry/core/resourcequota"
	"k8s.io/kubernetes/pkg/registry/core/secret"
	"k8s.io/kubernetes/pkg/registry/core/service"
	"k8s.io/kubernetes/pkg/registry/core/serviceaccount"
	"k8s.io/kubernetes/pkg/registry/networking/ingress"
	"k8s.io/kubernetes/pkg/registry/networking/ingressclass"
	"k8s.io/kubernetes/pkg/registry/networking/networkpolicy"
	"k8s.io/kubernetes/pkg/registry/node/runtimeclass"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrole"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrolebinding"
	"k8s.io/kubernetes/pkg/registry/rbac/role"
	"k8s.io/kubernetes/pkg/registry/rbac/rolebinding"
	"k8s.io/kubernetes/pkg/registry/scheduling/priorityclass"
	"k8s.io/kubernetes/pkg/registry/storage/storageclass"
)

// install adds the internal and served versions of the API groups Check
// knows to scheme, as the API server's install packages do (without their
// init, which would run in every kship command).
func install(scheme *runtime.Scheme) {
	for _, add := range []func(*runtime.Scheme) error{
		core.AddToScheme, corev1.AddToScheme,
		apps.AddToScheme, appsv1.AddToScheme,
		batch.AddToScheme, batchv1.AddToScheme,
		autoscaling.AddToScheme, autoscalingv2.AddToScheme, autoscalingv1.AddToScheme,
		policy.AddToScheme, policyv1.AddToScheme,
		networking.AddToScheme, networkingv1.AddToScheme,
		rbac.AddToScheme, rbacv1.AddToScheme,
		scheduling.AddToScheme, schedulingv1.AddToScheme,
		storage.AddToScheme, storagev1.AddToScheme,
		admissionregistration.AddToScheme, admissionregistrationv1.AddToScheme,
		node.AddToScheme, nodev1.AddToScheme,
	} {
		utilruntime.Must(add(scheme))
	}
	utilruntime.Must(scheme.SetVersionPriority(autoscalingv2.SchemeGroupVersion, autoscalingv1.SchemeGroupVersion))
}

// strategies are the API server's create strategies of the kinds Check
// knows, each from the Kubernetes registry package that serves the kind.
func strategies() map[schema.GroupKind]rest.RESTCreateStrategy {
	core := func(kind string) schema.GroupKind { return schema.GroupKind{Kind: kind} }
	in := func(group, kind string) schema.GroupKind { return schema.GroupKind{Group: group, Kind: kind} }
	return map[schema.GroupKind]rest.RESTCreateStrategy{
		core("Pod"):                   pod.Strategy,
		core("Service"):               service.Strategy,
		core("ConfigMap"):             configmap.Strategy,
		core("Secret"):                secret.Strategy,
		core("ServiceAccount"):        serviceaccount.Strategy,
		core("PersistentVolumeClaim"): persistentvolumeclaim.Strategy,
		core("PersistentVolume"):      persistentvolume.Strategy,
		core("Namespace"):             namespace.Strategy,
		core("LimitRange"):            limitrange.Strategy,
		core("ResourceQuota"):         resourcequota.Strategy,
		core("ReplicationController"): replicationcontroller.Strategy,
		core("PodTemplate"):           podtemplate.Strategy,
		core("Endpoints"):             endpoint.Strategy,

		in("apps", "Deployment"):         deployment.Strategy,
		in("apps", "StatefulSet"):        statefulset.Strategy,
		in("apps", "DaemonSet"):          daemonset.Strategy,
		in("apps", "ReplicaSet"):         replicaset.Strategy,
		in("apps", "ControllerRevision"): controllerrevision.Strategy,

		in("batch", "Job"):     job.Strategy,
		in("batch", "CronJob"): cronjob.Strategy,

		in("autoscaling", "HorizontalPodAutoscaler"): horizontalpodautoscaler.Strategy,
		in("policy", "PodDisruptionBudget"):          poddisruptionbudget.Strategy,

		in("networking.k8s.io", "Ingress"):       ingress.Strategy,
		in("networking.k8s.io", "IngressClass"):  ingressclass.Strategy,
		in("networking.k8s.io", "NetworkPolicy"): networkpolicy.Strategy,

		in("rbac.authorization.k8s.io", "Role"):               role.Strategy,
		in("rbac.authorization.k8s.io", "RoleBinding"):        rolebinding.Strategy,
		in("rbac.authorization.k8s.io", "ClusterRole"):        clusterrole.Strategy,
		in("rbac.authorization.k8s.io", "ClusterRoleBinding"): clusterrolebinding.Strategy,

		in("scheduling.k8s.io", "PriorityClass"): priorityclass.Strategy,
		in("storage.k8s.io", "StorageClass"):     storageclass.Strategy,
		in("node.k8s.io", "RuntimeClass"):        runtimeclass.Strategy,

		in("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): validatingwebhookconfiguration.Strategy,
		in("admissionregistration.k8s.io", "MutatingWebhookConfiguration"):   mutatingwebhookconfiguration.Strategy,
	}
}
