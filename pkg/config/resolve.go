package config

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrNotFound is returned by Find when no kship.yaml exists in the directory
// or any parent up to the repository root.
var ErrNotFound = errors.New(FileName + " not found")

// Find looks for kship.yaml in dir and its parents, stopping at the first
// directory that holds .git (the repository root) or at the filesystem root.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, FileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", ErrNotFound
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNotFound
		}
		dir = parent
	}
}

// UnknownEnvironmentError says that a name is not an environment of the config.
type UnknownEnvironmentError struct {
	Name  string
	Known []string
	Path  string
}

func (e *UnknownEnvironmentError) Error() string {
	return fmt.Sprintf("unknown environment %q: %s defines %s; pass one of them, or a kustomization directory",
		e.Name, e.Path, strings.Join(e.Known, ", "))
}

// Environment returns the environment called name.
func (c *Config) Environment(name string) (*Environment, error) {
	if env, ok := c.Environments[name]; ok {
		return env, nil
	}
	return nil, &UnknownEnvironmentError{Name: name, Known: c.Names(), Path: c.Path}
}

// ForDir returns the environment whose overlay is dir, or nil.
func (c *Config) ForDir(dir string) *Environment {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	for _, name := range c.Names() {
		if env := c.Environments[name]; env.Overlay == abs {
			return env
		}
	}
	return nil
}

// ForBranch returns the environment that branch deploys to, or nil when no
// environment lists it. An exact branch name wins over a pattern.
func (c *Config) ForBranch(branch string) *Environment {
	var byPattern *Environment
	for _, name := range c.Names() {
		env := c.Environments[name]
		for _, b := range env.Branches {
			if b == branch {
				return env
			}
			if ok, _ := matchBranch(b, branch); ok && byPattern == nil {
				byPattern = env
			}
		}
	}
	return byPattern
}

// BranchMap describes which branches deploy where, for messages:
// "stage ← develop; prod ← master, main".
func (c *Config) BranchMap() string {
	var parts []string
	for _, name := range c.Names() {
		if bs := c.Environments[name].Branches; len(bs) > 0 {
			parts = append(parts, name+" ← "+strings.Join(bs, ", "))
		}
	}
	if len(parts) == 0 {
		return "no environment lists any branch"
	}
	return strings.Join(parts, "; ")
}

func (c *Config) checkBranches() error {
	owner := map[string]string{}
	for _, name := range c.Names() {
		for _, b := range c.Environments[name].Branches {
			if prev, ok := owner[b]; ok {
				return fmt.Errorf("branch %q deploys to both %q and %q: list it under one environment", b, prev, name)
			}
			owner[b] = name
		}
	}
	return nil
}

func matchBranch(pattern, branch string) (bool, error) {
	return path.Match(pattern, branch)
}
