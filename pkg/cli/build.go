package cli

import (
	"context"
	"errors"
	"io"

	"github.com/kship/kship/pkg/build"
	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
	"sigs.k8s.io/kustomize/api/types"
)

func buildFlags() []ucli.Flag {
	return []ucli.Flag{
		branchFlag,
		&ucli.StringSliceFlag{
			Name:  "image",
			Usage: "override an image in memory, as `kustomize edit set image` would: NAME=NEWNAME[:TAG][@DIGEST], NAME:TAG or NAME@DIGEST (repeatable); NAME must match an image of the build",
			// Whitespace is refused, not trimmed: a stray newline in a CI
			// variable is a mistake to report.
			KeepSpace: true,
		},
		&ucli.BoolFlag{Name: "allow-unused-image", Usage: "allow an --image whose NAME matches no image of the build"},
		&ucli.StringFlag{
			Name:  "load-restrictor",
			Value: types.LoadRestrictionsRootOnly.String(),
			Usage: "kustomize's file load restrictor: LoadRestrictionsRootOnly or LoadRestrictionsNone",
		},
		&ucli.BoolFlag{Name: "enable-alpha-plugins", Usage: "allow KRM functions and plugins named in the tree (off by default)"},
		&ucli.BoolFlag{Name: "enable-exec", Usage: "allow exec KRM functions, i.e. run executables named in the tree (off by default; never for untrusted trees)"},
		&ucli.BoolFlag{Name: "enable-helm", Usage: "allow helmCharts in kustomizations, inflated with the helm command (off by default, as in kustomize)"},
		&ucli.StringFlag{Name: "helm-command", Value: "helm", Usage: "the helm executable --enable-helm runs"},
	}
}

func buildCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "build",
		Usage:     "render an environment's manifests, byte for byte as `kustomize build` does",
		ArgsUsage: "ENV|DIR",
		Description: `Builds the kustomization of ENV (from kship.yaml) or DIR in-process and
prints it. --image overrides images in memory; the tree on disk is not changed.

Examples:
   kship build stage
   kship build overlays/prod --image api=registry.example/api:abc123
   kship build --branch "$CIRCLE_BRANCH" -o json`,
		Flags:  append(buildFlags(), outputFlag(formatYAML, formatJSON), noDecryptFlag, clusterNameFlag()),
		Action: action(parseBuild),
	}
}

// buildCmd is `kship build`.
type buildCmd struct {
	sel    selection
	build  build.Options
	format format
}

func parseBuild(c *ucli.Context) (*buildCmd, error) {
	opts, err := buildOptionsOf(c)
	return &buildCmd{sel: selectionOf(c), build: opts, format: formatOf(c)}, err
}

func (b *buildCmd) run(_ context.Context, s streams) error {
	t, err := b.sel.target()
	if err != nil {
		return err
	}
	if len(b.sel.clusters) > 0 {
		// One cluster's build: its images.
		if t, err = b.sel.single(t); err != nil {
			return err
		}
	}
	opts, err := t.BuildOptions(withLimits(b.build, t.Config))
	if err != nil {
		return exitcode.Wrap(exitcode.Build, err)
	}
	m, err := build.Build(t.Dir, opts)
	if err != nil {
		return buildFailed(err)
	}
	warnPlaintext(s, b.build, m)
	return render(s.out, b.format, renderers{
		formatYAML: func(w io.Writer) error { return writeManifests(w, build.YAML, m) },
		formatJSON: func(w io.Writer) error { return writeManifests(w, build.JSON, m) },
	})
}

// writeManifests renders the build's objects; a failure to render them is
// the build's.
func writeManifests(w io.Writer, render func(*build.Manifests) ([]byte, error), m *build.Manifests) error {
	out, err := render(m)
	if err != nil {
		return exitcode.Wrap(exitcode.Build, err)
	}
	_, err = w.Write(out)
	return err
}

// buildOptionsOf reads the build flags. The limits come from kship.yaml,
// once it is read: see withLimits.
func buildOptionsOf(c *ucli.Context) (build.Options, error) {
	opts := build.Options{
		AllowUnusedImages:  c.Bool("allow-unused-image"),
		EnableExec:         c.Bool("enable-exec"),
		EnableAlphaPlugins: c.Bool("enable-alpha-plugins"),
		EnableHelm:         c.Bool("enable-helm"),
		HelmCommand:        c.String("helm-command"),
		Decoder:            decryptor(c),
	}
	switch r := c.String("load-restrictor"); r {
	case types.LoadRestrictionsRootOnly.String():
		opts.LoadRestrictor = types.LoadRestrictionsRootOnly
	case types.LoadRestrictionsNone.String():
		opts.LoadRestrictor = types.LoadRestrictionsNone
	default:
		return opts, usagef("--load-restrictor %q: want %s or %s", r, types.LoadRestrictionsRootOnly, types.LoadRestrictionsNone)
	}
	for _, arg := range c.StringSlice("image") {
		img, err := build.ParseImage(arg)
		if err != nil {
			return opts, exitcode.Wrap(exitcode.Usage, err)
		}
		opts.Images = append(opts.Images, img)
	}
	return opts, nil
}

// withLimits is opts with the limits kship.yaml sets.
func withLimits(opts build.Options, cfg *config.Config) build.Options {
	opts.Limits = limitsOf(cfg)
	return opts
}

// limitsOf is what kship.yaml's limits: section sets; nil, or an unset
// field, keeps the default.
func limitsOf(cfg *config.Config) build.Limits {
	if cfg == nil {
		return build.Limits{}
	}
	l := cfg.Limits
	return build.Limits{MaxFileSize: int64(l.MaxFileSize), MaxAliasExpansion: int64(l.MaxAliasExpansion), MaxBuildSize: int64(l.MaxBuildSize)}
}

// buildFailed gives a build error its exit code: usage for an --image that
// matches nothing, build for the rest.
func buildFailed(err error) error {
	var unused *build.UnusedImageError
	if errors.As(err, &unused) {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	return exitcode.Wrap(exitcode.Build, err)
}
