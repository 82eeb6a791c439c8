package config

import (
	"strings"
	"testing"
)

func TestParseNotify(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte(`notify:
- slack: {urlFrom: SLACK_WEBHOOK_URL}
- webhook: {urlFrom: DEPLOY_HOOK_URL, on: [failure, rollback]}
environments:
  stage: {overlay: o, context: stage}
  dev: {overlay: o, context: dev, notify: []}
  prod:
    overlay: o
    context: prod
    notify: [{webhook: {urlFrom: PAGER_URL, on: [failure]}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if n := c.NotifyFor(c.Environments["stage"]); len(n) != 2 || n[0].Kind() != "slack" || !n[0].Hook().Sends(NotifyStart) || n[1].Hook().Sends(NotifySuccess) {
		t.Errorf("stage: %+v", n)
	}
	if n := c.NotifyFor(c.Environments["dev"]); len(n) != 0 {
		t.Errorf("dev's empty notify list does not replace the top-level one: %+v", n)
	}
	if n := c.NotifyFor(c.Environments["prod"]); len(n) != 1 || n[0].Hook().URLFrom != "PAGER_URL" {
		t.Errorf("prod: %+v", n)
	}
	env := "environments:\n  stage: {overlay: o, context: c}\n"
	for _, bad := range []struct{ yaml, want string }{
		{"notify: [{slack: {url: https://hooks.slack.com/services/T/B/X}}]\n", "'url' is not read from kship.yaml"},
		{"notify: [{slack: {urlFrom: \"$SLACK\"}}]\n", "'urlFrom' must name the environment variable"},
		{"notify: [{webhook: {urlFrom: H, on: [deployed]}}]\n", `on "deployed": want start, success, failure, rollback`},
		{"notify: [{}]\n", "give one of 'slack' or 'webhook'"},
		{"notify: [{slack: {urlFrom: A}, webhook: {urlFrom: B}}]\n", "give one of 'slack' or 'webhook'"},
	} {
		_, err := Parse("/repo/kship.yaml", []byte(bad.yaml+env))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.yaml, err, bad.want)
		}
		if err != nil && strings.Contains(err.Error(), "hooks.slack.com") {
			t.Errorf("the error quotes the URL: %v", err)
		}
	}
}
