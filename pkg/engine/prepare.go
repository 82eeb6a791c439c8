package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/gitfs"
	"github.com/kship/kship/pkg/guard"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/validate"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// build builds the target in memory; an empty build is refused.
func (r *runner) build() ([]*unstructured.Unstructured, error) {
	opts, err := r.target.BuildOptions(r.opts.Build)
	if err != nil {
		return nil, &BuildError{Err: err}
	}
	r.origins = build.Origins{}
	opts.Origins = r.origins
	m, err := build.Build(r.target.Dir, opts)
	if err != nil {
		return nil, &BuildError{Err: err}
	}
	objs, err := build.Objects(m)
	if err != nil {
		return nil, &BuildError{Err: err}
	}
	if len(objs) == 0 {
		return nil, &BuildError{Err: fmt.Errorf("%s builds no objects: there is nothing to deploy or diff", r.target.Name())}
	}
	if err := checkAnnotations(objs); err != nil {
		return nil, &BuildError{Err: fmt.Errorf("%s: %w", r.target.Name(), err)}
	}
	return objs, nil
}

// validate checks the build offline, when asked: errors stop the deploy
// (a *ValidationError holds them); warnings are summed up in one event, as
// a deploy is not where they get read (kship validate lists them).
func (r *runner) validate(objs []*unstructured.Unstructured) error {
	if r.opts.Validate == nil {
		return nil
	}
	opts := *r.opts.Validate
	opts.Environment = r.target.Name()
	opts.Source = Sources(r.target, r.origins)
	if dec := decryptorOf(r.opts.Build); dec != nil {
		opts.Redact = append(opts.Redact, dec.Values()...) // decrypted values, in a ConfigMap too
	}
	plain, err := PlaintextFiles(r.target, r.opts.Build)
	if err != nil {
		return err
	}
	opts.Plaintext = plain
	rep, err := RunValidation(r.target, objs, opts)
	if err != nil {
		return err
	}
	warnings := map[string]int{}
	errs := *rep
	errs.Findings = nil
	for _, f := range rep.Findings {
		if f.Fails(rep.FailOn) {
			errs.Findings = append(errs.Findings, f)
		} else {
			warnings[f.Rule]++
		}
	}
	if len(warnings) > 0 {
		r.emit(event.Event{Type: event.Warning, Message: fmt.Sprintf("validation: %s (%s); `kship validate %s` lists them",
			plural(rep.Warnings(), "warning"), countRules(warnings), r.target.Name())})
	}
	if len(errs.Findings) > 0 {
		return &ValidationError{Target: r.target.Name(), Report: &errs}
	}
	return nil
}

// RunValidation runs validate.Run on t's objects; its errors name the flag
// or kship.yaml setting at fault.
func RunValidation(t *Target, objs []*unstructured.Unstructured, opts validate.Options) (*validate.Report, error) {
	rep, err := validate.Run(objs, opts)
	var verr *validate.VersionError
	var rerr *validate.UnknownRuleError
	var ferr *validate.FailOnError
	switch {
	case errors.As(err, &verr):
		return nil, &OptionError{Err: fmt.Errorf("--kubernetes-version: %w", err)}
	case errors.As(err, &ferr):
		return nil, &OptionError{Err: fmt.Errorf("--%w", err)}
	case errors.As(err, &rerr) && t.Config != nil:
		return nil, &BuildError{Err: fmt.Errorf("%s: validation.rules: %w", t.Config.Path, err)}
	case err != nil:
		return nil, &BuildError{Err: err}
	}
	return rep, nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// countRules renders rule counts as "policy/readiness-probe ×2, policy/image-tag".
func countRules(counts map[string]int) string {
	rules := make([]string, 0, len(counts))
	for r := range counts {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for i, r := range rules {
		if n := counts[r]; n > 1 {
			rules[i] = fmt.Sprintf("%s ×%d", r, n)
		}
	}
	return strings.Join(rules, ", ")
}

// connect checks that the kube context is the environment's, connects, and
// checks the cluster's pinned identity; all before any write.
func (r *runner) connect(ctx context.Context) error {
	client, err := connectTarget(ctx, r.target, r.opts.Cluster.kube())
	if err != nil {
		return err
	}
	r.base, r.client = client, client
	return nil
}

// connectTarget checks that the kube context opts names is t's environment's,
// connects, and checks the cluster's pinned identity (kship.yaml's
// clusterID, clusterCA). The error is a *ConnectError.
func connectTarget(ctx context.Context, t *Target, opts kube.Options) (*kube.Client, error) {
	opts, err := withEnvKubeconfig(t, opts)
	if err != nil {
		return nil, &ConnectError{Err: err}
	}
	if t.Cluster() != "" && opts.Context == "" {
		// One of several clusters: its context, whatever the current one is.
		opts.Context = t.Env.Context
	}
	if err := guard.Context(t.Env, opts); err != nil {
		return nil, &ConnectError{Err: err}
	}
	client, err := kube.New(opts)
	if err != nil {
		return nil, &ConnectError{Err: err}
	}
	if err := guard.Cluster(ctx, t.Env, client); err != nil {
		return nil, &ConnectError{Err: err}
	}
	return client, nil
}

// asDeployed names the environment's inventory and returns objs as the
// deploy applies them: namespaces defaulted. It also reads what the
// history records of the deploy (images, project).
func (r *runner) asDeployed(ctx context.Context, objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	env, ns, err := inventoryOf(r.target, objs, r.client)
	if err != nil {
		return nil, &BuildError{Err: err}
	}
	if objs, err = defaultNamespaces(ctx, r.client, objs, defaultNamespace(r.target, ns, r.client)); err != nil {
		return nil, lookupError(err)
	}
	r.env, r.namespace = env, ns
	r.inv = inventory.New(r.client, env, ns)
	r.images = imagesOf(objs)
	r.project = projectOf(ctx, r.target)
	return objs, nil
}

// lookupError is a failure to map the build's kinds: the build's fault,
// unless the API server could not be reached.
func lookupError(err error) error {
	if errors.As(err, new(*kube.UnavailableError)) {
		return &ConnectError{Err: err}
	}
	return &BuildError{Err: err}
}

var notLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// inventoryOf names t's inventory: its environment and namespace, or, for a
// bare directory (or an environment without a namespace), the directory's
// name and the build's first namespace, else the kube context's. The build
// comes first so that the inventory and lock stay with the objects whoever
// deploys them, whatever namespace their context names.
func inventoryOf(t *Target, objs []*unstructured.Unstructured, client *kube.Client) (env, namespace string, err error) {
	if t.Env != nil && t.Env.Namespace != "" {
		return t.Env.Name, t.Env.Namespace, nil
	}
	name := strings.Trim(notLabel.ReplaceAllString(strings.ToLower(filepath.Base(t.Dir)), "-"), "-")
	if t.Env != nil {
		name = t.Env.Name
	}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" {
			return name, ns, nil
		}
	}
	if client != nil && client.Namespace != "" {
		return name, client.Namespace, nil
	}
	return "", "", fmt.Errorf("%s: kship keeps its inventory and deploy lock in the environment's namespace, and none is known: set 'namespace' in kship.yaml, in the overlay, or in the kube context", t.Name())
}

// defaultNamespace is the namespace given to objects that name none: the
// environment's, else, as kubectl does, the kube context's, else the
// inventory's.
func defaultNamespace(t *Target, inventoryNS string, client *kube.Client) string {
	switch {
	case t.Env != nil && t.Env.Namespace != "":
		return t.Env.Namespace
	case client != nil && client.Namespace != "":
		return client.Namespace
	}
	return inventoryNS
}

// projectOf names the project whose environment t is: the repository's
// origin and kship.yaml's path in it, or kship.yaml's absolute path when the
// repository has no origin; "" for a bare directory.
func projectOf(ctx context.Context, t *Target) string {
	if t.Config == nil || t.Env == nil {
		return ""
	}
	repo, err := gitfs.Open(ctx, filepath.Dir(t.Config.Path))
	if err != nil {
		return t.Config.Path
	}
	origin := repo.Origin(ctx)
	rel, err := filepath.Rel(repo.Root, t.Config.Path)
	if origin == "" || err != nil {
		return t.Config.Path
	}
	return origin + "/" + filepath.ToSlash(rel)
}
