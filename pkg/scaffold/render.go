package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"strconv"
	"strings"
	"text/template"

	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/validate"
)

// The templates end in .tmpl, so that nothing that looks for YAML or
// kustomizations in the repository takes them for the real thing.
//
//go:embed templates/*.yaml.tmpl
var templatesFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{"join": strings.Join}).ParseFS(templatesFS, "templates/*.yaml.tmpl"))

// File is one file of the app, its path relative to the app's directory
// (slash-separated).
type File struct {
	Path string
	Data []byte
}

// environment is what an overlay and kship.yaml say of one environment.
type environment struct {
	Name, Namespace          string
	Production               bool
	MinReplicas, MaxReplicas int
	Branches                 []string
}

// data is what the templates read.
type data struct {
	Name, ImageName, ImageTag, ImageDigest string
	Port                                   int
	Migrate                                bool
	MigrateCommand                         string
	Envs                                   []environment
	// DeployBranches are the branches that deploy somewhere.
	DeployBranches []string
	// Env is the environment an overlay template is rendered for.
	Env environment
}

// Render checks opts and returns the app's files, in the order they are
// best read: base, overlays, kship.yaml, the CI pipeline.
func Render(opts Options) ([]File, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	d, err := dataOf(opts)
	if err != nil {
		return nil, err
	}
	var out []File
	add := func(name, tmpl string, d data) error {
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, tmpl+".tmpl", d); err != nil {
			return fmt.Errorf("rendering %s: %w", name, err)
		}
		out = append(out, File{Path: name, Data: b.Bytes()})
		return nil
	}
	base := []string{"kustomization.yaml", "deployment.yaml", "service.yaml", "hpa.yaml", "pdb.yaml"}
	if d.Migrate {
		base = append(base, "migrate-job.yaml")
	}
	for _, f := range base {
		if err := add(path.Join("base", f), f, d); err != nil {
			return nil, err
		}
	}
	for _, e := range d.Envs {
		d.Env = e
		if err := add(path.Join("overlays", e.Name, "kustomization.yaml"), "overlay.yaml", d); err != nil {
			return nil, err
		}
		if err := add(path.Join("overlays", e.Name, "namespace.yaml"), "namespace.yaml", d); err != nil {
			return nil, err
		}
	}
	if err := add(config.FileName, "kship.yaml", d); err != nil {
		return nil, err
	}
	if err := add(".circleci/config.yml", "circleci.yaml", d); err != nil {
		return nil, err
	}
	// kship.yaml's own rules judge the environment names.
	if _, err := config.Parse(config.FileName, out[len(out)-2].Data); err != nil {
		return nil, fmt.Errorf("--env: %w", err)
	}
	return out, nil
}

func dataOf(opts Options) (data, error) {
	name, tag, digest, err := opts.image()
	if err != nil {
		return data{}, err
	}
	d := data{Name: opts.Name, ImageName: name, ImageTag: tag, ImageDigest: digest, Port: opts.Port,
		Migrate: opts.Migrate != "", MigrateCommand: shellCommand(opts.Migrate)}
	stageBranch, prodBranch := false, false
	for _, e := range opts.envs() {
		env := environment{Name: e, Namespace: opts.Name + "-" + e, MinReplicas: 1, MaxReplicas: 3}
		// The first production environment deploys from the main branch,
		// the first other one from develop; the rest are deployed by hand.
		if validate.IsProduction(e, nil) {
			env.Production, env.MinReplicas, env.MaxReplicas = true, 3, 10
			if !prodBranch {
				env.Branches, prodBranch = []string{"main", "master"}, true
			}
		} else if !stageBranch {
			env.Branches, stageBranch = []string{"develop"}, true
		}
		d.DeployBranches = append(d.DeployBranches, env.Branches...)
		d.Envs = append(d.Envs, env)
	}
	return d, nil
}

// shellCommand is the migration command as a YAML flow sequence that runs
// it with /bin/sh, so that the user's quoting and && work as typed.
func shellCommand(cmd string) string {
	return "[/bin/sh, -c, " + strconv.Quote(cmd) + "]"
}
