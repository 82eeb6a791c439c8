package validate

import (
	"path"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Options says what to validate against and how strictly.
type Options struct {
	// Environment names the environment in findings ("stage", or the
	// directory that was built).
	Environment string
	// KubernetesVersion picks the shipped schemas, "1.37"; empty means
	// DefaultKubernetesVersion.
	KubernetesVersion string
	// CRDs are CustomResourceDefinitions from outside the build (--crds),
	// used like the build's own to check instances of their kinds.
	CRDs []*unstructured.Unstructured
	// Rules overrides rule severities by rule id: kship.yaml's top-level
	// validation.rules, then the environment's.
	Rules map[string]Severity
	// External lists what workloads may refer to without the build
	// containing it: objects another team or tool creates.
	External External
	// FailOn is the least severity that fails the validation: Error (the
	// default, also for "") or Warning, for teams whose CI is to fail on
	// warnings too.
	FailOn Severity
	// Production turns on the production rules (policy/prod-*).
	Production bool
	// DefaultNamespace is the namespace of namespaced objects that name
	// none (the environment's namespace in kship.yaml).
	DefaultNamespace string
	// Source, if set, returns the file an object came from, for findings.
	// Without it, kustomize's config.kubernetes.io/origin annotation is
	// read if the object carries one.
	Source func(obj *unstructured.Unstructured) string
	// Redact are values no finding may show besides Secret data: those
	// the build decrypted, which may sit in a ConfigMap too.
	Redact []string
	// Plaintext are files the build read in plaintext that a .sops.yaml
	// says are to be encrypted (secrets.Decryptor.Plaintext), for the
	// secrets/plaintext rule.
	Plaintext []PlaintextFile
}

// External names objects that exist in the cluster without being in the
// build. Names may be path.Match patterns ("db-*").
type External struct {
	Secrets                []string `json:"secrets,omitempty"`
	ConfigMaps             []string `json:"configMaps,omitempty"`
	ServiceAccounts        []string `json:"serviceAccounts,omitempty"`
	PersistentVolumeClaims []string `json:"persistentVolumeClaims,omitempty"`
}

// declared reports whether name matches one of patterns.
func declared(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok || p == name {
			return true
		}
	}
	return false
}
