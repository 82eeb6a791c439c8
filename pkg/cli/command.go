package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/exitcode"
	ucli "github.com/urfave/cli/v2"
)

// Every command is Flags -> Options -> Run: its action reads the flags
// once into the command's own struct (parse*), and run works from that
// struct alone, never from the urfave context.

// command is a command's options, filled from its flags, ready to run.
type command interface {
	run(ctx context.Context, s streams) error
}

// action is the urfave action of a command: parse the flags, then run.
func action[C command](parse func(*ucli.Context) (C, error)) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		s := streams{in: c.App.Reader, out: c.App.Writer, err: c.App.ErrWriter}
		cmd, err := parse(c)
		if err != nil {
			if r, ok := any(cmd).(refuser); ok {
				r.refused(s, err)
			}
			return err
		}
		return cmd.run(c.Context, s)
	}
}

// refuser is a command that reports flags it refused in its own output too
// (deploy -o json writes a document whatever happens).
type refuser interface {
	refused(s streams, err error)
}

// streams are a command's standard input, output and error.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// selection is what a command works on, as typed: ENV|DIR arguments,
// --branch, --all, and the kship.yaml that --config names.
type selection struct {
	config string
	branch string
	all    bool
	args   []string
	// clusters are --cluster's, context --context's: which of an
	// environment's clusters (see narrow).
	clusters []string
	context  string
}

func selectionOf(c *ucli.Context) selection {
	return selection{config: c.String("config"), branch: c.String("branch"), all: c.Bool("all"), args: c.Args().Slice(),
		clusters: c.StringSlice("cluster"), context: c.String("context")}
}

var branchFlag = &ucli.StringFlag{
	Name:  "branch",
	Usage: "pick the environment that kship.yaml maps this git branch to (e.g. $CIRCLE_BRANCH); an unmapped branch does nothing and exits 0",
}

// loadConfig reads --config, or kship.yaml found from the working directory.
// With required false, a missing kship.yaml is not an error (nil, nil).
func (s selection) loadConfig(required bool) (*config.Config, error) {
	path := s.config
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

// target turns `ENV|DIR` or --branch into a target. A --branch that
// deploys nowhere is a *NothingToDo.
func (s selection) target() (*engine.Target, error) {
	switch {
	case s.branch != "" && len(s.args) > 0:
		return nil, usagef("give an environment or --branch, not both")
	case s.branch == "" && len(s.args) != 1:
		return nil, usagef("give one environment or kustomization directory (see 'kship envs'), or --branch")
	}
	if s.branch != "" {
		cfg, err := s.loadConfig(true)
		if err != nil {
			return nil, err
		}
		env := cfg.ForBranch(s.branch)
		if env == nil {
			return nil, unmappedBranch(cfg, s.branch)
		}
		return &engine.Target{Dir: env.Overlay, Env: env, Config: cfg}, nil
	}
	return s.targetOf(s.args[0])
}

// targetOf turns one ENV|DIR argument into a target: an environment of
// kship.yaml, or a directory (with its environment when one names it).
func (s selection) targetOf(arg string) (*engine.Target, error) {
	cfg, err := s.loadConfig(false)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		if env, ok := cfg.Environments[arg]; ok {
			return &engine.Target{Dir: env.Overlay, Env: env, Config: cfg}, nil
		}
		if name, cluster, ok := strings.Cut(arg, "/"); ok {
			if env, ok := cfg.Environments[name]; ok && env.MultiCluster() {
				if slices.Contains(env.ClusterNames(), cluster) {
					envs, err := env.ForClusters([]string{cluster})
					if err != nil {
						return nil, exitcode.Wrap(exitcode.Usage, err)
					}
					return &engine.Target{Dir: env.Overlay, Env: envs[0], Config: cfg}, nil
				}
				if info, err := os.Stat(arg); err != nil || !info.IsDir() {
					return nil, usagef("environment %q has no cluster %q: its clusters are %s (give ENV/CLUSTER, or a directory)",
						name, cluster, strings.Join(env.ClusterNames(), ", "))
				}
			}
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

func clusterFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "kubeconfig", Usage: "kubeconfig file (default: the environment's kubeconfig in kship.yaml, else $KUBECONFIG or ~/.kube/config)"},
		&ucli.StringFlag{Name: "context", Usage: "kube context to use; it must be the environment's (default: the kubeconfig's current context)"},
		clusterNameFlag(),
	}
}

// clusterOf is the kubeconfig and context the flags name. Without
// --kubeconfig the engine takes the environment's own kubeconfig from
// kship.yaml, else $KUBECONFIG or ~/.kube/config.
func clusterOf(c *ucli.Context) engine.Cluster {
	return engine.Cluster{Kubeconfig: c.String("kubeconfig"), Context: c.String("context")}
}

func lockFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.DurationFlag{Name: "lock-timeout", Value: 5 * time.Minute, Usage: "wait this long for another deploy of the environment to finish"},
		&ucli.StringFlag{Name: "lock-holder", Usage: "who holds the deploy lock (default: $CIRCLE_BUILD_URL, or user@host)"},
		&ucli.DurationFlag{Name: "lock-ttl", Value: engine.DefaultLockTTL, Usage: "how long the lock outlives a deploy that was killed (it is renewed while the deploy runs)"},
	}
}

// withLock sets opts' lock settings from the lock flags.
func withLock(c *ucli.Context, opts engine.Options) engine.Options {
	opts.LockWait, opts.LockTTL, opts.By = c.Duration("lock-timeout"), c.Duration("lock-ttl"), c.String("lock-holder")
	return opts
}
