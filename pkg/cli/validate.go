package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/validate"
	ucli "github.com/urfave/cli/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// validateSchemaFlags are the flags `kship deploy` shares with `kship validate`.
func validateSchemaFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{
			Name:  "kubernetes-version",
			Value: validate.DefaultKubernetesVersion,
			Usage: "validate against the schemas of this Kubernetes version (shipped: " + strings.Join(validate.KubernetesVersions(), ", ") + ")",
		},
		&ucli.StringSliceFlag{Name: "crds", Usage: "CustomResourceDefinitions (FILE or DIR, repeatable) to check custom resources against, besides the build's own"},
		&ucli.StringFlag{Name: "fail-on", Usage: "least severity that fails: error, or warning to fail on warnings too (default: kship.yaml's validation.failOn, else error)"},
	}
}

// validateDeployFlags are the flags `kship deploy` gets for its validation.
func validateDeployFlags() []ucli.Flag {
	return append(validateSchemaFlags(),
		&ucli.BoolFlag{Name: "validate", Value: true, Usage: "validate the build offline first and refuse to deploy on errors (--validate=false skips it)"})
}

func validateCommand() *ucli.Command {
	flags := append(buildFlags(), validateSchemaFlags()...)
	flags = append(flags, clusterNameFlag(),
		&ucli.BoolFlag{Name: "all", Usage: "validate every environment kship.yaml defines"},
		&ucli.StringSliceFlag{Name: "filename", Aliases: []string{"f"}, Usage: "validate these manifests (FILE, DIR or - for stdin) instead of building; with one ENV, its kship.yaml settings apply"},
		outputFlag(formatText, formatJSON, formatJUnit),
		noDecryptFlag,
	)
	return &ucli.Command{
		Name:      "validate",
		Usage:     "check built objects offline: schemas, references between them, and policy",
		ArgsUsage: "[ENV|DIR...]",
		Description: `Builds each ENV (or DIR) in memory and checks every object without a
cluster: against the OpenAPI schemas of the Kubernetes version kship ships
(unknown fields, types, required fields, enums, quantities, names, labels,
removed apiVersions), custom resources against the CRDs in the build or in
--crds, and the limits the API server enforces besides (object size,
ConfigMap and Secret keys and data size, annotations size) and, for built-in
kinds, the API server's own validation code, run offline as for a create
(rules api/*: selectors matching templates, limits over requests, cron
schedules, ports, probes... in the server's words); then that workloads refer only to ConfigMaps, Secrets,
ServiceAccounts and PVCs the build has or kship.yaml declares external, that
Services, PDBs and HPAs target something; then policy: readiness probes,
resource requests, pinned image tags and, in production, 2+ replicas and a
PDB per Deployment. Findings never show Secret data.

An environment is production if kship.yaml says production: true, or, when
it does not say, if its name matches prod*. Rules and their severities:
` + ruleHelp() + `
kship.yaml sets severities (off, warning, error) at the top level and per
environment, and declares what exists outside the build:
   validation: {rules: {policy/readiness-probe: error}, failOn: warning}
   environments:
     prod:
       external: {secrets: [db-credentials], configMaps: [], serviceAccounts: [], persistentVolumeClaims: []}
       validation: {rules: {policy/image-tag: off}}

Files are read within kship.yaml's limits (maxFileSize, maxAliasExpansion,
maxBuildSize), -f and --crds included: a file over one is refused (exit 3).

failOn: warning (or --fail-on warning, which wins) fails on warnings too.

Exit codes: 0 no errors (warnings allowed unless failing on them); 2 usage;
3 errors found or build failed.

Examples:
   kship validate stage
   kship validate --all -o junit > test-results/kship/validate.xml
   kship build prod | kship validate prod -f -`,
		Flags:  flags,
		Action: action(parseValidate),
	}
}

func ruleHelp() string {
	var b strings.Builder
	for _, r := range validate.Rules {
		prod := ""
		if r.Production {
			prod = ", production only"
		}
		fmt.Fprintf(&b, "   %-24s %s (%s%s)\n", r.ID, r.Summary, r.Severity, prod)
	}
	return b.String()
}

// validateCmd is `kship validate`.
type validateCmd struct {
	sel               selection
	build             build.Options
	kubernetesVersion string
	failOn            string
	crds              []string
	// files are -f's manifests, validated instead of a build.
	files  []string
	format format
}

// checkFailOn refuses a --fail-on other than error or warning.
func checkFailOn(c *ucli.Context) error {
	switch v := c.String("fail-on"); v {
	case "", "error", "warning":
		return nil
	default:
		return usagef("--%v", &validate.FailOnError{Value: v})
	}
}

func parseValidate(c *ucli.Context) (*validateCmd, error) {
	if err := checkFailOn(c); err != nil {
		return nil, err
	}
	opts, err := buildOptionsOf(c)
	opts.Reuse = &build.Reuse{} // --all: environments share parts of their builds
	return &validateCmd{sel: selectionOf(c), build: opts, kubernetesVersion: c.String("kubernetes-version"),
		failOn: c.String("fail-on"), crds: c.StringSlice("crds"), files: c.StringSlice("filename"), format: formatOf(c)}, err
}

func (v *validateCmd) run(_ context.Context, s streams) error {
	targets, err := v.targets()
	if err != nil {
		return err
	}
	cfg, err := v.sel.loadConfig(false)
	if err != nil {
		return err
	}
	crds, err := readCRDs(v.crds, cfg, s.in)
	if err != nil {
		return err
	}
	// With several targets, an --image must match in one of them at least.
	var use *build.ImageUse
	if len(targets) > 1 && !v.build.AllowUnusedImages {
		use = &build.ImageUse{}
	}
	var reports []*validate.Report
	for _, t := range targets {
		rep, err := v.validate(s.in, t, crds, use)
		if err != nil {
			return err
		}
		reports = append(reports, rep)
	}
	if use != nil {
		if err := use.Unused(v.build.Images); err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
	}
	err = render(s.out, v.format, renderers{
		formatText:  func(w io.Writer) error { return validate.WriteText(w, reports) },
		formatJSON:  func(w io.Writer) error { return validate.WriteJSON(w, reports) },
		formatJUnit: func(w io.Writer) error { return validate.WriteJUnit(w, reports) },
	})
	if err != nil {
		return err
	}
	return validationOutcome(reports)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// validationOutcome is the error (exit 3) for reports that fail: "1 error",
// "2 errors", or with fail-on warning "1 error and 2 warnings".
func validationOutcome(reports []*validate.Report) error {
	errs, warns, failOnWarning := 0, 0, false
	for _, r := range reports {
		errs += r.Errors()
		if r.FailOn == validate.Warning {
			failOnWarning = true
			warns += r.Warnings()
		}
	}
	switch {
	case errs+warns == 0:
		return nil
	case warns == 0:
		return exitcode.Wrap(exitcode.Build, fmt.Errorf("validation found %s", plural(errs, "error")))
	case errs == 0 && failOnWarning:
		return exitcode.Wrap(exitcode.Build, fmt.Errorf("validation found %s, and fails on warnings (fail-on warning)", plural(warns, "warning")))
	}
	return exitcode.Wrap(exitcode.Build, fmt.Errorf("validation found %s and %s, and fails on warnings (fail-on warning)", plural(errs, "error"), plural(warns, "warning")))
}

// targets resolves ENV|DIR..., --all or --branch; an environment of
// several clusters is validated once per cluster (--cluster's, or all),
// each with its images and namespace.
func (v *validateCmd) targets() ([]*engine.Target, error) {
	ts, err := v.environments()
	if err != nil || len(v.files) > 0 {
		return ts, err
	}
	var out []*engine.Target
	for _, t := range ts {
		narrowed, err := v.sel.narrow(t)
		if v.sel.all {
			narrowed, err = t.ForClusters(nil)
		}
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, err)
		}
		out = append(out, narrowed...)
	}
	return out, nil
}

// environments resolves ENV|DIR..., --all or --branch.
func (v *validateCmd) environments() ([]*engine.Target, error) {
	sel := v.sel
	switch {
	case sel.all && (len(sel.args) > 0 || sel.branch != ""):
		return nil, usagef("give environments, --all or --branch, not several")
	case sel.all && len(v.files) > 0:
		return nil, usagef("-f validates one set of manifests: give at most one environment with it, not --all")
	case sel.all:
		cfg, err := sel.loadConfig(true)
		if err != nil {
			return nil, err
		}
		var out []*engine.Target
		for _, name := range cfg.Names() {
			env := cfg.Environments[name]
			out = append(out, &engine.Target{Dir: env.Overlay, Env: env, Config: cfg})
		}
		return out, nil
	case len(v.files) > 0 && len(sel.args) > 1:
		return nil, usagef("-f validates one set of manifests: give at most one environment with it")
	case len(v.files) > 0:
		return v.filesTarget()
	case len(sel.args) <= 1:
		t, err := sel.target()
		if err != nil {
			return nil, err
		}
		return []*engine.Target{t}, nil
	}
	var out []*engine.Target
	for _, arg := range sel.args {
		t, err := sel.targetOf(arg)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// filesTarget is the target of -f: no directory, and the environment
// named as the argument, if one is.
func (v *validateCmd) filesTarget() ([]*engine.Target, error) {
	cfg, err := v.sel.loadConfig(len(v.sel.args) > 0)
	if err != nil {
		return nil, err
	}
	t := &engine.Target{Config: cfg}
	if len(v.sel.args) == 1 {
		env, err := cfg.Environment(v.sel.args[0])
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, err)
		}
		t.Env = env
	}
	return []*engine.Target{t}, nil
}

// readCRDs reads --crds FILE|DIR ("-" is stdin) within cfg's limits.
func readCRDs(paths []string, cfg *config.Config, stdin io.Reader) ([]*unstructured.Unstructured, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	objs, err := validate.ReadManifestFiles(paths, stdin, build.NewBudget(limitsOf(cfg)).ReadAll)
	var le *build.LimitError
	switch {
	case errors.As(err, &le):
		return nil, exitcode.Wrap(exitcode.Build, fmt.Errorf("--crds: %w", err))
	case err != nil:
		return nil, usagef("--crds: %v", err)
	}
	return objs, nil
}

// validate builds t (or reads -f) and validates it.
// With use, an --image that matches nothing is recorded there, not refused.
func (v *validateCmd) validate(stdin io.Reader, t *engine.Target, crds []*unstructured.Unstructured, use *build.ImageUse) (*validate.Report, error) {
	var objs []*unstructured.Unstructured
	origins := build.Origins{}
	name := t.Name()
	var redactValues []string
	var plain []validate.PlaintextFile
	if len(v.files) > 0 {
		var err error
		read := build.NewBudget(limitsOf(t.Config)).ReadAll
		if objs, err = validate.ReadManifestFiles(v.files, stdin, read); err != nil {
			return nil, exitcode.Wrap(exitcode.Build, err)
		}
		if t.Env == nil {
			name = strings.Join(v.files, ",")
		}
	} else {
		opts, err := t.BuildOptions(withFreshDecryptor(withLimits(v.build, t.Config)))
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Build, err)
		}
		opts.Origins = origins
		if use != nil {
			opts.AllowUnusedImages, opts.ImageUse = true, use
		}
		m, err := build.Build(t.Dir, opts)
		if err != nil {
			return nil, buildFailed(err)
		}
		if objs, err = build.Objects(m); err != nil {
			return nil, exitcode.Wrap(exitcode.Build, err)
		}
		if dec := decryptorOf(opts); dec != nil {
			redactValues = dec.Values()
		}
		if plain, err = engine.PlaintextFiles(t, opts); err != nil {
			return nil, exitcode.Wrap(exitcode.Build, err)
		}
	}
	opts := validateOptionsFor(t, v.kubernetesVersion, v.failOn, crds)
	opts.Redact, opts.Plaintext = redactValues, plain
	opts.Source = engine.Sources(t, origins)
	opts.Environment = name
	return engine.RunValidation(t, objs, opts)
}

// validateOptionsFor turns kship.yaml and the flags into validate.Options.
// failOn, the flag, wins over kship.yaml's validation.failOn.
func validateOptionsFor(t *engine.Target, kubernetesVersion, failOn string, crds []*unstructured.Unstructured) validate.Options {
	opts := validate.Options{
		KubernetesVersion: kubernetesVersion,
		CRDs:              crds,
		FailOn:            validate.Severity(failOn),
	}
	if t.Config != nil {
		if failOn == "" {
			opts.FailOn = validate.Severity(t.Config.FailOnFor(t.Env))
		}
		opts.Rules = map[string]validate.Severity{}
		for id, s := range t.Config.RulesFor(t.Env) {
			opts.Rules[id] = validate.Severity(s)
		}
	}
	if e := t.Env; e != nil {
		opts.DefaultNamespace = e.Namespace
		opts.Production = validate.IsProduction(e.Name, e.Production)
		opts.External = validate.External{
			Secrets: e.External.Secrets, ConfigMaps: e.External.ConfigMaps,
			ServiceAccounts: e.External.ServiceAccounts, PersistentVolumeClaims: e.External.PersistentVolumeClaims,
		}
	}
	return opts
}
