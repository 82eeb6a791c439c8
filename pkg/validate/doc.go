// Package validate checks built objects offline, without a cluster, before
// kship deploys them.
//
// Run takes one environment's objects and reports findings, each naming the
// environment, the object (Kind/namespace/name), the field path, the source
// file, the rule and its severity. These families of checks run:
//
//   - Schema: each object against the OpenAPI v3 schema of its kind, as the
//     API server would judge it under fieldValidation=Strict: unknown fields
//     (respecting x-kubernetes-preserve-unknown-fields), types, required
//     fields, enums, int-or-string, quantities, base64 and int32 formats,
//     metadata.name, namespace, label and annotation syntax, label
//     selectors, and apiVersion/kind the Kubernetes version does not serve
//     ("removed in 1.16, use apps/v1"). Built-in kinds use the schemas kship
//     ships for each Kubernetes version (schemas/, written by
//     tools/cmd/openapi-dump from a real API server and embedded); custom
//     resources use the openAPIV3Schema of their CRD, from the build or from
//     Options.CRDs. oracle_test.go holds these checks to what the API server
//     says about the corpus in testdata/validate/corpus.
//   - Limits the API server enforces beyond the schema: an object over the
//     request body limit (3 MiB as JSON) or over etcd's 1.5 MiB for one
//     value (built-in kinds measured as the protobuf they are stored as,
//     custom resources as JSON); ConfigMap and Secret keys that are not
//     valid key names, or data over 1 MiB in all; annotations over 256 KiB.
//     The corpus holds cases for each, judged by the oracle for real where
//     a dry run never reaches etcd.
//   - References: workloads that refer to ConfigMaps, Secrets (and their
//     keys), ServiceAccounts or PersistentVolumeClaims that the build does
//     not contain and that Options.External does not declare, which is how a
//     generated name that kustomize did not rewrite shows; Services and
//     PodDisruptionBudgets that select no pod template; HPAs that scale
//     nothing.
//   - Policy: readiness probes, resource requests, pinned image tags and, in
//     production (IsProduction: production: true in kship.yaml, or a name
//     matching prod*), at least two replicas and a PodDisruptionBudget per
//     Deployment.
//   - Secrets in plaintext: each of Options.Plaintext, a Secret manifest or
//     secretGenerator source the build read unencrypted although a
//     .sops.yaml creation rule says to encrypt it (pkg/secrets finds them).
//     These findings are about the file: they name no object, and Source
//     is the file.
//
// Every rule has an id (Rules), a default severity, and can be set to off,
// warning or error (Options.Rules, from kship.yaml). No finding quotes a
// Secret's data: checks never quote values of Secrets, and Run removes any
// Secret value from messages as a last guard.
//
// WriteText, WriteJSON and WriteJUnit render reports; the package itself
// never prints. It does not build, read kship.yaml or talk to a cluster:
// pkg/cli does the first two and passes Options.
package validate
