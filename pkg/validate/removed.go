package validate

// removal says when Kubernetes stopped serving an apiVersion (for a kind,
// or for every kind when the table entry's key has no kind) and what to use
// instead. The served replacement is looked up in the shipped schemas; use
// names it only where the kind moved to another group or went away.
type removal struct {
	in  string // the release that stopped serving it
	use string // "" means: the same kind in a served version, if any
}

// removals are the API removals of the Kubernetes deprecation guide
// (https://kubernetes.io/docs/reference/using-api/deprecation-guide/),
// keyed by "apiVersion Kind" or by apiVersion alone.
var removals = map[string]removal{
	"extensions/v1beta1 Deployment":             {in: "1.16", use: "apps/v1"},
	"extensions/v1beta1 DaemonSet":              {in: "1.16", use: "apps/v1"},
	"extensions/v1beta1 ReplicaSet":             {in: "1.16", use: "apps/v1"},
	"extensions/v1beta1 NetworkPolicy":          {in: "1.16", use: "networking.k8s.io/v1"},
	"extensions/v1beta1 PodSecurityPolicy":      {in: "1.16", use: "nothing: PodSecurityPolicy was removed in 1.25; use Pod Security Admission"},
	"extensions/v1beta1 Ingress":                {in: "1.22", use: "networking.k8s.io/v1"},
	"apps/v1beta1":                              {in: "1.16"},
	"apps/v1beta2":                              {in: "1.16"},
	"networking.k8s.io/v1beta1":                 {in: "1.22"},
	"rbac.authorization.k8s.io/v1beta1":         {in: "1.22"},
	"rbac.authorization.k8s.io/v1alpha1":        {in: "1.22"},
	"apiextensions.k8s.io/v1beta1":              {in: "1.22"},
	"apiregistration.k8s.io/v1beta1":            {in: "1.22"},
	"admissionregistration.k8s.io/v1beta1":      {in: "1.22"},
	"authentication.k8s.io/v1beta1":             {in: "1.22"},
	"authorization.k8s.io/v1beta1":              {in: "1.22"},
	"certificates.k8s.io/v1beta1":               {in: "1.22"},
	"coordination.k8s.io/v1beta1":               {in: "1.22"},
	"scheduling.k8s.io/v1beta1":                 {in: "1.22"},
	"scheduling.k8s.io/v1alpha1":                {in: "1.17"},
	"storage.k8s.io/v1beta1":                    {in: "1.22"},
	"storage.k8s.io/v1beta1 CSIStorageCapacity": {in: "1.27"},
	"batch/v1beta1":                             {in: "1.25"},
	"batch/v2alpha1":                            {in: "1.21"},
	"discovery.k8s.io/v1beta1":                  {in: "1.25"},
	"events.k8s.io/v1beta1":                     {in: "1.25"},
	"autoscaling/v2beta1":                       {in: "1.25"},
	"autoscaling/v2beta2":                       {in: "1.26"},
	"policy/v1beta1":                            {in: "1.25"},
	"policy/v1beta1 PodSecurityPolicy":          {in: "1.25", use: "nothing: PodSecurityPolicy was removed; use Pod Security Admission"},
	"node.k8s.io/v1beta1":                       {in: "1.25"},
	"flowcontrol.apiserver.k8s.io/v1beta1":      {in: "1.26"},
	"flowcontrol.apiserver.k8s.io/v1beta2":      {in: "1.29"},
	"flowcontrol.apiserver.k8s.io/v1beta3":      {in: "1.32"},
}

// removedGroups are groups whose every version is gone, so that objects in
// them are reported as removed rather than as instances of a missing CRD.
var removedGroups = map[string]bool{"extensions": true}

// lookupRemoval returns what the table says about apiVersion and kind.
func lookupRemoval(apiVersion, kind string) (removal, bool) {
	if r, ok := removals[apiVersion+" "+kind]; ok {
		return r, true
	}
	r, ok := removals[apiVersion]
	return r, ok
}
