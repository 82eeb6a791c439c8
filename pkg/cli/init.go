package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/scaffold"
	"github.com/kship/kship/pkg/validate"
	ucli "github.com/urfave/cli/v2"
)

func initCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "init",
		Usage:     "scaffold a new app kship can deploy: base, overlays, kship.yaml, CI pipeline",
		ArgsUsage: "[DIR]",
		Description: `Writes, in DIR (default: this directory), a kustomize base with a Deployment
(readiness and liveness probes on --port, requests and limits, no replicas: the
HPA owns the count), a Service, a HorizontalPodAutoscaler, a PodDisruptionBudget,
a configMapGenerator the Deployment reads, and with --migrate a pre-deploy
migration Job with the same image; one overlay per environment (production
ones with 3 to 10 replicas and a surge-only rollout), kship.yaml, and
.circleci/config.yml (validate, pull-request diff, deploy by branch).

Existing files are left as they are and listed; --force overwrites them. In a
repository that has some of the files, init adds the missing ones.

Example:
   kship init --name shop-api --image registry.example/shop/api:1.0.0 --port 8080 --migrate "bin/rails db:migrate"`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "name", Usage: "the app's name (a DNS label): its Deployment, Service, ... and namespaces NAME-ENV"},
			&ucli.StringFlag{Name: "image", Usage: "its container image, with a tag or digest (CI replaces the tag per deploy)"},
			&ucli.IntFlag{Name: "port", Usage: "the port it listens on"},
			&ucli.StringFlag{Name: "migrate", Usage: "a command run to completion before each rollout (a database migration), with the same image"},
			&ucli.StringSliceFlag{Name: "env", Usage: "the environments, e.g. --env stage,prod (default: stage,prod)"},
			&ucli.BoolFlag{Name: "force", Usage: "overwrite files that exist"},
		},
		Action: action(parseInit),
	}
}

// initCmd is `kship init`.
type initCmd struct {
	dir   string
	opts  scaffold.Options
	force bool
}

func parseInit(c *ucli.Context) (*initCmd, error) {
	if c.NArg() > 1 {
		return nil, usagef("give at most one directory")
	}
	cmd := &initCmd{dir: c.Args().First(), force: c.Bool("force"), opts: scaffold.Options{
		Name: c.String("name"), Image: c.String("image"), Port: c.Int("port"), Migrate: c.String("migrate")}}
	if cmd.dir == "" {
		cmd.dir = "."
	}
	for _, e := range c.StringSlice("env") {
		cmd.opts.Environments = append(cmd.opts.Environments, strings.Split(e, ",")...)
	}
	return cmd, nil
}

func (i *initCmd) run(_ context.Context, s streams) error {
	dir, opts := i.dir, i.opts
	files, err := scaffold.Render(opts)
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	w, err := scaffold.Write(dir, files, i.force)
	if err != nil {
		return fmt.Errorf("writing the app in %s: %w", dir, err)
	}
	out := s.out
	list(out, "created", w.Created)
	list(out, "overwrote", w.Overwritten)
	list(out, "kept", w.Kept)
	if len(w.Kept) > 0 {
		fmt.Fprintln(out, "Kept files exist and differ from what init writes; merge by hand, or pass --force to overwrite them.")
	}
	if len(w.Created)+len(w.Overwritten) == 0 {
		return usagef("%s: nothing to add: every file init writes is there already (%d kept as they are, %d the same); --force overwrites them", dir, len(w.Kept), len(w.Same))
	}
	printNext(out, dir, opts.Environments)
	return nil
}

func list(w io.Writer, verb string, paths []string) {
	for _, p := range paths {
		fmt.Fprintf(w, "%s %s\n", verb, p)
	}
}

// printNext says what to run next: from the app's directory, validate,
// diff and deploy its first environment that is not production.
func printNext(w io.Writer, dir string, envs []string) {
	if len(envs) == 0 {
		envs = scaffold.DefaultEnvironments
	}
	env := envs[0]
	for _, e := range envs {
		if !validate.IsProduction(e, nil) {
			env = e
			break
		}
	}
	fmt.Fprintln(w, "\nNext:")
	if abs, err := filepath.Abs(dir); err == nil {
		if wd, err := os.Getwd(); err != nil || wd != abs {
			fmt.Fprintf(w, "  cd %s\n", dir)
		}
	}
	fmt.Fprintln(w, "  kship validate --all        # check every environment offline")
	fmt.Fprintf(w, "  kship diff %-16s # what a deploy would change (kube context %q, see kship.yaml)\n", env, env)
	fmt.Fprintf(w, "  kship deploy %-14s # deploy it, and wait until it is ready\n", env)
}
