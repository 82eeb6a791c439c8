package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/kship/kship/pkg/readiness"
	yaml "go.yaml.in/yaml/v3"
)

// FileName is the name kship looks for when --config is not given.
const FileName = "kship.yaml"

// Config is a parsed kship.yaml.
type Config struct {
	// Path is the file the configuration was read from.
	Path string
	// Environments holds every environment, by name.
	Environments map[string]*Environment
	// Validation is the top-level validation: section.
	Validation Validation
	// Limits is the top-level limits: section: what a build may read.
	Limits Limits
	// Timeouts are the top-level per-kind wait timeouts.
	Timeouts Timeouts
	// Notify is where deploys are announced, for environments without
	// their own notify list.
	Notify []Notify
	// Readiness are the readiness rules of kship.yaml; rules is them
	// compiled, with the built-in ones.
	Readiness []readiness.Rule
	rules     *readiness.Set
	// AllowOverlaysOutsideRepository lets overlays lie outside the
	// repository that holds kship.yaml (its git work tree, or its
	// directory outside git); otherwise they are refused.
	AllowOverlaysOutsideRepository bool
}

// Environment is one deploy target: an overlay, and where it goes.
type Environment struct {
	// Name is the environment's key in kship.yaml.
	Name string `yaml:"-" json:"name"`
	// Overlay is the kustomization directory, relative to kship.yaml's directory
	// in the file and absolute once loaded.
	Overlay string `yaml:"overlay" json:"overlay"`
	// Context is the kube context this environment deploys to.
	Context string `yaml:"context" json:"context,omitempty"`
	// Namespace is the default namespace for objects that name none.
	Namespace string `yaml:"namespace" json:"namespace,omitempty"`
	// Branches are the git branches (or path.Match patterns) that deploy here.
	Branches []string `yaml:"branches" json:"branches,omitempty"`
	// Server, when set, pins the API server URL the context must point at.
	Server string `yaml:"server" json:"server,omitempty"`
	// ClusterID, when set, pins the cluster's identity: the UID of its
	// kube-system namespace, which survives renamed contexts and moved URLs.
	ClusterID string `yaml:"clusterID" json:"clusterID,omitempty"`
	// ClusterCA, when set, pins the cluster's certificate authority, as
	// "sha256:" and the hex SHA-256 of the first CA certificate the context
	// trusts: a pin that needs no read from the cluster, for identities
	// that may not read kube-system.
	ClusterCA string `yaml:"clusterCA" json:"clusterCA,omitempty"`
	// Kubeconfig, when set, is the kubeconfig this environment deploys
	// with (relative to kship.yaml in the file, absolute once loaded),
	// SOPS-encrypted or not; it is decrypted in memory, and --kubeconfig
	// overrides it.
	Kubeconfig string `yaml:"kubeconfig" json:"kubeconfig,omitempty"`
	// Production marks the environment as production for validation's
	// production rules; when unset, names matching prod* are production.
	Production *bool `yaml:"production" json:"production,omitempty"`
	// External lists objects the environment's workloads may refer to
	// without the build containing them.
	External External `yaml:"external" json:"external,omitzero"`
	// Validation overrides the top-level validation settings.
	Validation *Validation `yaml:"validation" json:"validation,omitempty"`
	// Timeouts are per-kind wait timeouts, in place of the top-level ones
	// for the kinds they name.
	Timeouts Timeouts `yaml:"timeouts" json:"timeouts,omitempty"`
	// Notify, when set (even empty), replaces the top-level notify list.
	Notify []Notify `yaml:"notify" json:"notify,omitempty"`

	// Clusters, instead of Context, lists the clusters the environment
	// deploys to, each with its own context (see ForClusters).
	Clusters []Cluster `yaml:"clusters" json:"clusters,omitempty"`
	// Rollout says how a deploy goes to the clusters: RolloutSerial (the
	// default) or RolloutParallel.
	Rollout string `yaml:"rollout" json:"rollout,omitempty"`

	// Cluster, set on what ForClusters returns, names the cluster this
	// copy of the environment is for; Images are that cluster's.
	Cluster string   `yaml:"-" json:"cluster,omitempty"`
	Images  []string `yaml:"-" json:"images,omitempty"`
	// Listed, set with Cluster, names every cluster the environment lists.
	Listed []string `yaml:"-" json:"-"`
}

type file struct {
	Environments                   map[string]*Environment `yaml:"environments"`
	Validation                     Validation              `yaml:"validation"`
	Limits                         Limits                  `yaml:"limits"`
	Timeouts                       Timeouts                `yaml:"timeouts"`
	Notify                         []Notify                `yaml:"notify"`
	Readiness                      []readiness.Rule        `yaml:"readiness"`
	AllowOverlaysOutsideRepository bool                    `yaml:"allowOverlaysOutsideRepository"`
}

// Load reads and checks the kship.yaml at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse checks data, the contents of the kship.yaml at path. Relative overlay
// paths are resolved against path's directory.
func Parse(path string, data []byte) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: more than %d bytes: a kship.yaml names environments and is far smaller; point --config at the right file", path, MaxFileSize)
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Environments) == 0 {
		return nil, fmt.Errorf("%s: no environments: add an 'environments:' map, e.g. 'stage: {overlay: overlays/stage, context: stage}'", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c := &Config{Path: abs, Environments: f.Environments, Validation: f.Validation, Limits: f.Limits, Timeouts: f.Timeouts, Notify: f.Notify, Readiness: f.Readiness,
		AllowOverlaysOutsideRepository: f.AllowOverlaysOutsideRepository}
	if err := c.Validation.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.Timeouts.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkNotify(c.Notify); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	pos := findLines(data)
	if c.rules, err = readiness.Compile(c.Readiness); err != nil {
		line := 0
		var re *readiness.RuleError
		if errors.As(err, &re) && re.Index < len(pos.readiness) {
			line = pos.readiness[re.Index]
		}
		return nil, fmt.Errorf("%s: %w", at(path, line), err)
	}
	for _, name := range c.Names() {
		if err := c.check(name, c.Environments[name]); err != nil {
			line := pos.env[name]
			if errors.As(err, new(*overlayError)) && pos.overlay[name] > 0 {
				line = pos.overlay[name]
			}
			return nil, fmt.Errorf("%s: environment %q: %w", at(path, line), name, err)
		}
	}
	if err := c.checkBranches(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func (c *Config) check(name string, env *Environment) error {
	if env == nil {
		return errors.New("is empty: give it at least 'overlay' and 'context'")
	}
	if err := checkName(name); err != nil {
		return err
	}
	env.Name = name
	if env.Overlay == "" {
		return errors.New("has no 'overlay': set it to the kustomization directory, e.g. overlays/" + name)
	}
	if err := c.checkClusters(env); err != nil {
		return err
	}
	if env.Context == "" && !env.MultiCluster() {
		return errors.New("has no 'context': set it to the kube context this environment deploys to (or list its clusters under 'clusters')")
	}
	if !filepath.IsAbs(env.Overlay) {
		env.Overlay = filepath.Join(filepath.Dir(c.Path), env.Overlay)
	}
	env.Overlay = filepath.Clean(env.Overlay)
	if env.Kubeconfig != "" && !filepath.IsAbs(env.Kubeconfig) {
		env.Kubeconfig = filepath.Join(filepath.Dir(c.Path), env.Kubeconfig)
	}
	if err := c.checkOverlay(env.Overlay); err != nil {
		return &overlayError{err}
	}
	if err := env.Validation.check(); err != nil {
		return err
	}
	if err := env.Timeouts.check(); err != nil {
		return err
	}
	if err := checkNotify(env.Notify); err != nil {
		return err
	}
	for _, b := range env.Branches {
		if _, err := matchBranch(b, ""); err != nil {
			return fmt.Errorf("branch pattern %q: %w", b, err)
		}
	}
	return nil
}

// Rules are the readiness rules deploys judge objects by: kship.yaml's,
// and the built-in ones of the kinds it has none for.
func (c *Config) Rules() *readiness.Set { return c.rules }

// Names returns the environment names, sorted.
func (c *Config) Names() []string {
	names := make([]string, 0, len(c.Environments))
	for n := range c.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Rel returns p relative to kship.yaml's directory when it lies inside it,
// and p unchanged otherwise; for messages and listings.
func (c *Config) Rel(p string) string {
	rel, err := filepath.Rel(filepath.Dir(c.Path), p)
	if err != nil || rel == ".." || len(rel) > 2 && rel[:3] == ".."+string(filepath.Separator) {
		return p
	}
	return rel
}
