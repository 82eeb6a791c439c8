package validate

import (
	"fmt"
	"slices"
	"strings"
)

// Rule is one check with an id that findings carry and kship.yaml can
// switch: validation: {rules: {<id>: off|warning|error}}.
type Rule struct {
	ID       string
	Severity Severity // the default
	// Production rules run only for production environments.
	Production bool
	// File rules find problems with files the build read, not with
	// objects: their findings name no object, and Source is the file.
	File    bool
	Summary string
}

// The rule ids. Schema rules are judged against the API server in
// oracle_test.go; the others are kship's own.
const (
	RuleRemovedAPI      = "api/removed"
	RuleAPIInvalid      = "api/invalid"
	RuleAPIRequired     = "api/required"
	RuleAPIDuplicate    = "api/duplicate"
	RuleAPIForbidden    = "api/forbidden"
	RuleAPINotSupported = "api/not-supported"
	RuleAPITooLong      = "api/too-long"
	RuleAPITooMany      = "api/too-many"
	RuleAPIWarning      = "api/warning"
	RuleMissingCRD      = "crd/missing"
	RuleCRDSchema       = "crd/schema"
	RuleUnknownField    = "schema/unknown-field"
	RuleType            = "schema/type"
	RuleRequired        = "schema/required"
	RuleEnum            = "schema/enum"
	RuleFormat          = "schema/format"
	RuleQuantity        = "schema/quantity"
	RuleConstraint      = "schema/constraint"
	RuleSelector        = "schema/selector"
	RuleName            = "metadata/name"
	RuleNamespace       = "metadata/namespace"
	RuleLabels          = "metadata/labels"
	RuleAnnotations     = "metadata/annotations"
	RuleObjectSize      = "object/size"
	RuleDataKey         = "data/key"
	RuleDataSize        = "data/size"
	RuleRefConfigMap    = "ref/config-map"
	RuleRefSecret       = "ref/secret"
	RuleRefSA           = "ref/service-account"
	RuleRefPVC          = "ref/pvc"
	RuleServiceSelector = "ref/service-selector"
	RuleHPATarget       = "ref/hpa-target"
	RulePDBSelector     = "ref/pdb-selector"
	RuleReadiness       = "policy/readiness-probe"
	RuleRequests        = "policy/resource-requests"
	RuleImageTag        = "policy/image-tag"
	RuleHPAReplicas     = "policy/hpa-replicas"
	RuleProdReplicas    = "policy/prod-replicas"
	RuleProdPDB         = "policy/prod-pdb"
	RulePlaintext       = "secrets/plaintext"
)

// Rules lists every rule, in the order documentation shows them.
var Rules = []Rule{
	{ID: RuleRemovedAPI, Severity: Error, Summary: "apiVersion/kind is not served by the Kubernetes version (removed, or never existed)"},
	{ID: RuleAPIInvalid, Severity: Error, Summary: "the API server's validation code rejects a value (a selector that does not match its template, limits below requests, a cron schedule that does not parse...)"},
	{ID: RuleAPIRequired, Severity: Error, Summary: "the API server's validation code requires a field the object leaves out"},
	{ID: RuleAPIDuplicate, Severity: Error, Summary: "the API server's validation code rejects a duplicate (container, port or volume name...)"},
	{ID: RuleAPIForbidden, Severity: Error, Summary: "the API server's validation code forbids a field in this place or with these others"},
	{ID: RuleAPINotSupported, Severity: Error, Summary: "the API server's validation code does not support the value"},
	{ID: RuleAPITooLong, Severity: Error, Summary: "the API server's validation code finds a value too long"},
	{ID: RuleAPITooMany, Severity: Error, Summary: "the API server's validation code finds too many items"},
	{ID: RuleAPIWarning, Severity: Warning, Summary: "the API server would accept the object with a warning (deprecated or non-functional field...)"},
	{ID: RuleMissingCRD, Severity: Warning, Summary: "no CRD in the build or in --crds defines the kind, so it is not checked"},
	{ID: RuleCRDSchema, Severity: Error, Summary: "a CRD's openAPIV3Schema cannot be used"},
	{ID: RuleUnknownField, Severity: Error, Summary: "field not in the schema (the API server rejects it with fieldValidation=Strict)"},
	{ID: RuleType, Severity: Error, Summary: "value of the wrong type"},
	{ID: RuleRequired, Severity: Error, Summary: "required field missing"},
	{ID: RuleEnum, Severity: Error, Summary: "value not among the allowed values"},
	{ID: RuleFormat, Severity: Error, Summary: "int-or-string, base64, date-time or int32 value malformed"},
	{ID: RuleQuantity, Severity: Error, Summary: "resource quantity does not parse"},
	{ID: RuleConstraint, Severity: Error, Summary: "CRD schema constraint (pattern, bounds, lengths, uniqueness, oneOf...) broken"},
	{ID: RuleSelector, Severity: Error, Summary: "label selector malformed, empty, or not matching its own pod template's labels"},
	{ID: RuleName, Severity: Error, Summary: "metadata.name missing or not valid for the kind"},
	{ID: RuleNamespace, Severity: Error, Summary: "metadata.namespace not a DNS label"},
	{ID: RuleLabels, Severity: Error, Summary: "label key or value, or selector, not valid"},
	{ID: RuleAnnotations, Severity: Error, Summary: "annotation key not valid, or annotations over 256 KiB in all"},
	{ID: RuleObjectSize, Severity: Error, Summary: "object over the API server's 3 MiB request limit, or over etcd's 1.5 MiB for one stored value"},
	{ID: RuleDataKey, Severity: Error, Summary: "ConfigMap or Secret key not a valid key name ([-._a-zA-Z0-9]+, at most 253, not . or ..), or in both data and binaryData"},
	{ID: RuleDataSize, Severity: Error, Summary: "ConfigMap or Secret data over 1 MiB in all"},
	{ID: RuleRefConfigMap, Severity: Error, Summary: "workload refers to a ConfigMap (or key) the build does not contain and kship.yaml does not declare external"},
	{ID: RuleRefSecret, Severity: Error, Summary: "workload refers to a Secret (or key) the build does not contain and kship.yaml does not declare external"},
	{ID: RuleRefSA, Severity: Error, Summary: "workload runs as a ServiceAccount the build does not contain and kship.yaml does not declare external"},
	{ID: RuleRefPVC, Severity: Error, Summary: "workload mounts a PersistentVolumeClaim the build does not contain and kship.yaml does not declare external"},
	{ID: RuleServiceSelector, Severity: Warning, Summary: "Service selector matches no pod template in the build"},
	{ID: RuleHPATarget, Severity: Error, Summary: "HorizontalPodAutoscaler scales an object the build does not contain"},
	{ID: RulePDBSelector, Severity: Warning, Summary: "PodDisruptionBudget selector matches no pod template in the build"},
	{ID: RuleReadiness, Severity: Warning, Summary: "Deployment/StatefulSet/DaemonSet container without a readinessProbe"},
	{ID: RuleRequests, Severity: Warning, Summary: "container without cpu and memory requests"},
	{ID: RuleImageTag, Severity: Error, Summary: "image without a tag or digest, or tagged :latest"},
	{ID: RuleHPAReplicas, Severity: Warning, Summary: "replicas set on a workload that a HorizontalPodAutoscaler in the build scales: the HPA owns the count, kship applies replicas only on create"},
	{ID: RuleProdReplicas, Severity: Error, Production: true, Summary: "production Deployment with fewer than 2 replicas (HPA minReplicas counts)"},
	{ID: RuleProdPDB, Severity: Error, Production: true, Summary: "production Deployment that no PodDisruptionBudget covers"},
	{ID: RulePlaintext, Severity: Error, File: true, Summary: "Secret manifest or secretGenerator source read in plaintext although a .sops.yaml creation rule says to encrypt it"},
}

// RuleIDs returns every rule id, sorted.
func RuleIDs() []string {
	ids := make([]string, len(Rules))
	for i, r := range Rules {
		ids[i] = r.ID
	}
	slices.Sort(ids)
	return ids
}

func ruleByID(id string) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// UnknownRuleError is a rule id in the configuration that kship does not have.
type UnknownRuleError struct{ ID string }

// Error names the rule and lists the ones kship has.
func (e *UnknownRuleError) Error() string {
	return fmt.Sprintf("unknown validation rule %q: kship has %s", e.ID, strings.Join(RuleIDs(), ", "))
}

// FailOnError is a fail-on setting other than error or warning.
type FailOnError struct{ Value string }

// Error names the value and the ones allowed.
func (e *FailOnError) Error() string {
	return fmt.Sprintf("fail-on %q: want error (fail on errors only, the default) or warning (fail on warnings too)", e.Value)
}

// severities resolves each rule's severity: its default, then the
// overrides; production rules are off outside production.
func severities(overrides map[string]Severity, production bool) (map[string]Severity, error) {
	out := make(map[string]Severity, len(Rules))
	for _, r := range Rules {
		out[r.ID] = r.Severity
		if r.Production && !production {
			out[r.ID] = Off
		}
	}
	for id, s := range overrides {
		r, ok := ruleByID(id)
		if !ok {
			return nil, &UnknownRuleError{ID: id}
		}
		if _, ok := ParseSeverity(string(s)); !ok {
			return nil, fmt.Errorf("validation rule %s: severity %q: want off, warning or error", id, s)
		}
		if r.Production && !production {
			continue
		}
		out[id] = s
	}
	return out, nil
}
