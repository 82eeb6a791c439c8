package readiness

// Builtin are the rules kship ships, for common kinds whose readiness is
// not a standard condition (Ready, Available, Stalled...). Each has a test
// with the objects those controllers write.
func Builtin() []Rule {
	return []Rule{
		{ // Argo Rollouts: status.phase, once the controller saw the spec.
			APIVersion: "argoproj.io/v1alpha1", Kind: "Rollout",
			InProgress: "status.?observedGeneration.orValue('') != string(metadata.generation)",
			Failed:     "status.?phase.orValue('') == 'Degraded'",
			Current:    "status.?phase.orValue('') == 'Healthy'",
		},
		{ // Argo Workflows: a workflow is done when it succeeded.
			APIVersion: "argoproj.io/v1alpha1", Kind: "Workflow",
			Failed:  "status.?phase.orValue('') in ['Failed', 'Error']",
			Current: "status.?phase.orValue('') == 'Succeeded'",
		},
		{ // Velero backups and restores: status.phase.
			APIVersion: "velero.io/v1", Kind: "Backup",
			Failed:  "status.?phase.orValue('') in ['Failed', 'PartiallyFailed', 'FailedValidation']",
			Current: "status.?phase.orValue('') == 'Completed'",
		},
		{
			APIVersion: "velero.io/v1", Kind: "Restore",
			Failed:  "status.?phase.orValue('') in ['Failed', 'PartiallyFailed', 'FailedValidation']",
			Current: "status.?phase.orValue('') == 'Completed'",
		},
		{ // Tekton runs: the Succeeded condition.
			APIVersion: "tekton.dev/v1", Kind: "PipelineRun",
			Failed:  "status.?conditions.orValue([]).exists(c, c.type == 'Succeeded' && c.status == 'False')",
			Current: "status.?conditions.orValue([]).exists(c, c.type == 'Succeeded' && c.status == 'True')",
		},
		{
			APIVersion: "tekton.dev/v1", Kind: "TaskRun",
			Failed:  "status.?conditions.orValue([]).exists(c, c.type == 'Succeeded' && c.status == 'False')",
			Current: "status.?conditions.orValue([]).exists(c, c.type == 'Succeeded' && c.status == 'True')",
		},
		{ // Elastic's operator: status.phase and health.
			APIVersion: "elasticsearch.k8s.elastic.co/v1", Kind: "Elasticsearch",
			InProgress: "status.?observedGeneration.orValue(0) < metadata.generation",
			Failed:     "status.?phase.orValue('') == 'Invalid'",
			Current:    "status.?phase.orValue('') == 'Ready' && status.?health.orValue('') == 'green'",
		},
		{ // Sealed Secrets: the Synced condition.
			APIVersion: "bitnami.com/v1alpha1", Kind: "SealedSecret",
			Failed:  "status.?conditions.orValue([]).exists(c, c.type == 'Synced' && c.status == 'False')",
			Current: "status.?conditions.orValue([]).exists(c, c.type == 'Synced' && c.status == 'True')",
		},
	}
}
