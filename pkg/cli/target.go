package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
)

var branchFlag = &ucli.StringFlag{
	Name:  "branch",
	Usage: "pick the environment that kship.yaml maps this git branch to (e.g. $CIRCLE_BRANCH); an unmapped branch does nothing and exits 0",
}

// loadConfig reads --config, or kship.yaml found from the working directory.
// With required false, a missing kship.yaml is not an error (nil, nil).
func loadConfig(c *ucli.Context, required bool) (*config.Config, error) {
	path := c.String("config")
	if path == "" {
		found, err := config.Find(".")
		if errors.Is(err, config.ErrNotFound) && !required {
			return nil, nil
		}
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, errors.New(config.FileName+" not found in this directory or its parents: create one, or pass --config"))
		}
		path = found
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Build, err)
	}
	return cfg, nil
}

// NothingToDo is the outcome of a command given a --branch that kship.yaml
// maps to no environment: not an error (exit 0), and said in one place,
// cli.Run, as its message.
type NothingToDo struct {
	Branch, BranchMap, Config string
}

func (e *NothingToDo) Error() string {
	return fmt.Sprintf("branch %q deploys to no environment (%s in %s); nothing to do", e.Branch, e.BranchMap, e.Config)
}

// ExitCode is 0.
func (e *NothingToDo) ExitCode() int { return exitcode.OK }

func unmappedBranch(cfg *config.Config, branch string) error {
	return &NothingToDo{Branch: branch, BranchMap: cfg.BranchMap(), Config: cfg.Path}
}

// resolveTarget turns `ENV|DIR` or --branch into a target. A --branch that
// deploys nowhere is a *NothingToDo.
func resolveTarget(c *ucli.Context) (*engine.Target, error) {
	branch := c.String("branch")
	switch {
	case branch != "" && c.NArg() > 0:
		return nil, usagef("give an environment or --branch, not both")
	case branch == "" && c.NArg() != 1:
		return nil, usagef("give one environment or kustomization directory (see 'kship envs'), or --branch")
	}
	if branch != "" {
		cfg, err := loadConfig(c, true)
		if err != nil {
			return nil, err
		}
		env := cfg.ForBranch(branch)
		if env == nil {
			return nil, unmappedBranch(cfg, branch)
		}
		return &engine.Target{Dir: env.Overlay, Env: env, Config: cfg}, nil
	}
	return resolveArg(c, c.Args().First())
}

// resolveArg turns one ENV|DIR argument into a target: an environment of
// kship.yaml, or a directory (with its environment when one names it).
func resolveArg(c *ucli.Context, arg string) (*engine.Target, error) {
	cfg, err := loadConfig(c, false)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		if env, ok := cfg.Environments[arg]; ok {
			return &engine.Target{Dir: env.Overlay, Env: env, Config: cfg}, nil
		}
	}
	if info, err := os.Stat(arg); err == nil && info.IsDir() {
		t := &engine.Target{Dir: arg, Config: cfg}
		if cfg != nil {
			t.Env = cfg.ForDir(arg)
		}
		return t, nil
	}
	if cfg != nil {
		_, err := cfg.Environment(arg)
		return nil, exitcode.Wrap(exitcode.Usage, err)
	}
	return nil, usagef("%q is not a directory, and there is no %s to name environments: pass a kustomization directory, or create %s", arg, config.FileName, config.FileName)
}
