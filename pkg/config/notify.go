package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The moments a notification is sent at.
const (
	NotifyStart    = "start"
	NotifySuccess  = "success"
	NotifyFailure  = "failure"
	NotifyRollback = "rollback"
)

// NotifyOn are the moments, in the order they happen.
var NotifyOn = []string{NotifyStart, NotifySuccess, NotifyFailure, NotifyRollback}

// Notify is one place deploys are announced: a Slack incoming webhook, or
// a generic webhook that receives a JSON document.
type Notify struct {
	// Slack is a Slack incoming webhook; Webhook any URL that takes the
	// JSON document. One of them is set.
	Slack   *Hook `yaml:"slack" json:"slack,omitempty"`
	Webhook *Hook `yaml:"webhook" json:"webhook,omitempty"`
}

// Hook says where a notification goes and when.
type Hook struct {
	// URLFrom names the environment variable that holds the URL: a
	// webhook's URL is a credential, and kship.yaml is in git.
	URLFrom string `yaml:"urlFrom" json:"urlFrom"`
	// On are the moments it is sent at (NotifyOn); empty means all.
	On []string `yaml:"on" json:"on,omitempty"`
	// URL is refused: it is here to say so plainly.
	URL string `yaml:"url" json:"-"`
}

var envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Kind is "slack" or "webhook".
func (n Notify) Kind() string {
	if n.Slack != nil {
		return "slack"
	}
	return "webhook"
}

// Hook is the Slack or webhook target.
func (n Notify) Hook() *Hook {
	if n.Slack != nil {
		return n.Slack
	}
	return n.Webhook
}

// Sends reports whether the hook is sent at moment on.
func (h *Hook) Sends(on string) bool { return len(h.On) == 0 || slices.Contains(h.On, on) }

func checkNotify(list []Notify) error {
	for i, n := range list {
		if (n.Slack == nil) == (n.Webhook == nil) {
			return fmt.Errorf("notify[%d]: give one of 'slack' or 'webhook'", i)
		}
		h := n.Hook()
		if h.URL != "" {
			return fmt.Errorf("notify[%d] (%s): 'url' is not read from kship.yaml, which is in git and a webhook URL is a credential: put it in an environment variable (a CI secret) and name that in 'urlFrom'", i, n.Kind())
		}
		if !envVarName.MatchString(h.URLFrom) {
			return fmt.Errorf("notify[%d] (%s): 'urlFrom' must name the environment variable that holds the URL, e.g. urlFrom: SLACK_WEBHOOK_URL", i, n.Kind())
		}
		for _, on := range h.On {
			if !slices.Contains(NotifyOn, on) {
				return fmt.Errorf("notify[%d] (%s): on %q: want %s", i, n.Kind(), on, strings.Join(NotifyOn, ", "))
			}
		}
	}
	return nil
}

// NotifyFor returns where env's deploys are announced: env's own notify
// list when it has one, else the top-level one. env may be nil.
func (c *Config) NotifyFor(env *Environment) []Notify {
	if env != nil && env.Notify != nil {
		return env.Notify
	}
	return c.Notify
}
