package build

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Options says how to build. The zero value builds as the kustomize CLI does
// by default: plugins and KRM functions off, files restricted to the
// kustomization root.
type Options struct {
	// Images overrides images in the top kustomization, as
	// `kustomize edit set image` would, in memory only. Each must match an
	// image the top kustomization's images transformer sees, or be the
	// name of one of its images entries; else Build fails with an
	// *UnusedImageError.
	Images []Image
	// BaseImages change the top kustomization's images entries before
	// Images apply: each sets only the parts it gives (a cluster's own
	// registry, say) and keeps the entry's others, so that an override of
	// Images then applies on top of it. They are not checked for use.
	BaseImages []Image
	// AllowUnusedImages lets overrides of Images match nothing.
	AllowUnusedImages bool
	// ImageUse, when not nil, is filled with which overrides of Images
	// matched, for a caller that checks over several builds (and sets
	// AllowUnusedImages for each).
	ImageUse *ImageUse
	// LoadRestrictor is kustomize's --load-restrictor; empty means RootOnly.
	LoadRestrictor types.LoadRestrictions
	// EnableExec allows exec KRM functions (raw executables). Unsafe for
	// untrusted trees.
	EnableExec bool
	// EnableAlphaPlugins allows KRM functions and legacy plugins.
	EnableAlphaPlugins bool
	// EnableHelm allows helmCharts, inflated by running HelmCommand
	// ("helm" on the PATH when empty), as kustomize's --enable-helm.
	EnableHelm  bool
	HelmCommand string
	// Origins, when not nil, is filled with where each object came from:
	// kustomize's originAnnotations are switched on in memory for this
	// build (buildMetadata in the top kustomization, as Images is applied)
	// and the annotations they add are removed again, so the objects are
	// the same as without Origins.
	Origins Origins
	// Limits bound what the build reads: every file kustomize reads is
	// checked (its size, its YAML aliases' expansion, the build's total)
	// before kustomize parses it. Zero fields take the defaults.
	Limits Limits
	// Reuse, when not nil, keeps the parts of split builds (see split) for
	// later builds with the same options in the same run, and gives them
	// back where their inputs are the same: the two sides of a diff against
	// a git base, say. One Reuse must not outlive the files it read.
	Reuse *Reuse
	// Decoder, when not nil, turns each file kustomize reads into what
	// kustomize sees (e.g. decrypts SOPS files), after the limits checked
	// the file as read; what it returns is checked against them too.
	Decoder Decoder
}

// Decoder turns the content of the file at path into what kustomize reads.
// It returns data itself for a file it leaves alone.
type Decoder interface {
	Decode(path string, data []byte) ([]byte, error)
}

// Error is a build failure; Dir names the kustomization that failed.
type Error struct {
	Dir string
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("build %s: %v", e.Dir, e.Err) }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Build renders the kustomization in dir.
func Build(dir string, opts Options) (*Manifests, error) {
	return BuildFS(filesys.MakeFsOnDisk(), dir, opts)
}

// BuildFS renders the kustomization in dir as read from fSys, e.g. a git
// commit's tree in memory, instead of from disk.
func BuildFS(fSys filesys.FileSystem, dir string, opts Options) (*Manifests, error) {
	m, err := run(fSys, dir, opts)
	if err != nil {
		return nil, &Error{Dir: dir, Err: err}
	}
	return m, nil
}

func run(disk filesys.FileSystem, dir string, opts Options) (*Manifests, error) {
	disk = limited(disk, opts.Limits, opts.Decoder)
	kfile, err := kustomizationFile(disk, dir)
	if err != nil {
		return nil, err
	}
	if len(opts.Images) == 0 && len(opts.BaseImages) == 0 {
		return kustomize(disk, dir, kfile, nil, opts)
	}
	top, err := readTop(disk, kfile)
	if err != nil {
		return nil, err
	}
	if len(opts.BaseImages) > 0 {
		top.images = mergeImages(top.images, keepUnset(opts.BaseImages))
		if len(opts.Images) == 0 {
			return buildImages(disk, dir, top, top.images, false, opts)
		}
	}
	if opts.AllowUnusedImages && opts.ImageUse == nil {
		return buildImages(disk, dir, top, mergeImages(top.images, opts.Images), false, opts)
	}
	return buildChecked(disk, dir, top, opts)
}

// buildImages builds with the top kustomization's images list replaced by
// images; with early, without what runs after its images transformer.
func buildImages(disk filesys.FileSystem, dir string, top *topKustomization, images []Image, early bool, opts Options) (*Manifests, error) {
	edited, err := top.withImages(images, early)
	if err != nil {
		return nil, err
	}
	return kustomize(disk, dir, top.path, edited, opts)
}

// krustyRuns counts kustomize builds of the tree (not split builds' kind
// ordering), for the tests of what the --image check and reuse cost.
var krustyRuns atomic.Int64

// kustomize runs krusty on dir, with the kustomization file kfile replaced
// by edited when that is not nil.
func kustomize(disk filesys.FileSystem, dir, kfile string, edited []byte, opts Options) (*Manifests, error) {
	fSys := disk
	if edited != nil {
		fSys = &overlayFS{FileSystem: disk, path: kfile, data: edited}
	}
	added := false
	if opts.Origins != nil {
		var err error
		if edited, added, err = withOrigins(fSys, kfile); err != nil {
			return nil, err
		}
		fSys = &overlayFS{FileSystem: disk, path: kfile, data: edited}
	}
	m, err := split(fSys, dir, opts)
	if refused := refusal(disk); refused != nil {
		return nil, refused // what kustomize made of it says less
	}
	if err != nil && strings.Contains(err.Error(), "plugins disabled") {
		err = fmt.Errorf("%w (KRM functions and plugins are off by default: pass --enable-alpha-plugins, and --enable-exec for exec functions, only for trees you trust)", err)
	}
	if fns := execFunctions(disk); err == nil && len(fns) > 0 && opts.EnableAlphaPlugins && !opts.EnableExec {
		err = skippedExecFunctions(fns)
	}
	if err == nil && opts.Origins != nil {
		err = takeOrigins(m, opts.Origins, added)
	}
	return m, err
}

// plain runs kustomize on the kustomization in dir, as one build.
func plain(fSys filesys.FileSystem, dir string, opts Options) (*Manifests, error) {
	krustyRuns.Add(1)
	m, err := krusty.MakeKustomizer(opts.krusty()).Run(fSys, dir)
	if err != nil {
		return nil, err
	}
	return manifestsOf(m), nil
}

func (o Options) krusty() *krusty.Options {
	k := krusty.MakeDefaultOptions()
	// The CLI leaves ordering to the kustomization's sortOptions (legacy by
	// default) unless --reorder is given; so do we.
	k.Reorder = krusty.ReorderOptionUnspecified
	if o.LoadRestrictor != types.LoadRestrictionsUnknown {
		k.LoadRestrictions = o.LoadRestrictor
	}
	if o.EnableAlphaPlugins || o.EnableExec {
		c := types.EnabledPluginConfig(types.BploUseStaticallyLinked)
		c.FnpLoadingOptions.EnableExec = o.EnableExec
		k.PluginConfig = c
	}
	if o.EnableHelm {
		k.PluginConfig.HelmConfig.Enabled = true
		k.PluginConfig.HelmConfig.Command = o.HelmCommand
		if k.PluginConfig.HelmConfig.Command == "" {
			k.PluginConfig.HelmConfig.Command = "helm"
		}
	}
	return k
}

// kustomizationFile returns the cleaned absolute path of dir's kustomization
// file, with errors that say what to do.
func kustomizationFile(fSys filesys.FileSystem, dir string) (string, error) {
	switch {
	case !fSys.Exists(dir):
		return "", fmt.Errorf("directory does not exist: check the path, or the environment's 'overlay' in kship.yaml")
	case !fSys.IsDir(dir):
		return "", fmt.Errorf("not a directory: give the directory that holds kustomization.yaml")
	}
	abs, _, err := fSys.CleanedAbs(dir)
	if err != nil {
		return "", err
	}
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(abs.String(), name)
		if fSys.Exists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("no kustomization.yaml in %s: create one, or point at the directory that has it", abs)
}

// overlayFS serves one file from memory and everything else from disk.
type overlayFS struct {
	filesys.FileSystem
	path string
	data []byte
}

func (o *overlayFS) ReadFile(p string) ([]byte, error) {
	if filepath.Clean(p) == o.path {
		return append([]byte(nil), o.data...), nil
	}
	return o.FileSystem.ReadFile(p)
}
