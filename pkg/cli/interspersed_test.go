package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInterspersed(t *testing.T) {
	app := newApp(nil, nil, nil)
	tests := []struct {
		name     string
		in, want []string
	}{
		{"flags after the argument", []string{"kship", "build", "stage", "--image", "a=b:1", "-o", "json"}, []string{"kship", "build", "--image", "a=b:1", "-o", "json", "--", "stage"}},
		{"global flag before the command", []string{"kship", "--config", "k.yaml", "build", "stage"}, []string{"kship", "--config", "k.yaml", "build", "--", "stage"}},
		{"flag with =", []string{"kship", "deploy", "stage", "--dry-run", "--timeout=1m"}, []string{"kship", "deploy", "--dry-run", "--timeout=1m", "--", "stage"}},
		{"-- ends the flags", []string{"kship", "build", "--", "-odd-dir"}, []string{"kship", "build", "--", "-odd-dir"}},
		{"help after the argument", []string{"kship", "build", "stage", "--help"}, []string{"kship", "build", "--help"}},
		{"no command", []string{"kship"}, []string{"kship"}},

		{"global flag after the argument", []string{"kship", "deploy", "stage", "--config", "x.yaml"}, []string{"kship", "--config", "x.yaml", "deploy", "--", "stage"}},
		{"global flag with = after the command", []string{"kship", "deploy", "--config=x.yaml", "stage", "--dry-run"}, []string{"kship", "--config=x.yaml", "deploy", "--dry-run", "--", "stage"}},
		{"global flag with one dash", []string{"kship", "status", "stage", "-config", "x.yaml", "-o", "json"}, []string{"kship", "-config", "x.yaml", "status", "-o", "json", "--", "stage"}},
		{"global flag among command flags", []string{"kship", "build", "--image", "a=b:1", "--config", "x.yaml", "-o", "json", "stage"}, []string{"kship", "--config", "x.yaml", "build", "--image", "a=b:1", "-o", "json", "--", "stage"}},
		{"global flag both sides, the later one last", []string{"kship", "--config", "a.yaml", "build", "stage", "--config", "b.yaml"}, []string{"kship", "--config", "a.yaml", "--config", "b.yaml", "build", "--", "stage"}},
		{"global flag after --", []string{"kship", "build", "--", "stage", "--config", "x.yaml"}, []string{"kship", "build", "--", "stage", "--config", "x.yaml"}},
		{"global flag as a command flag's value", []string{"kship", "build", "stage", "--image", "--config"}, []string{"kship", "build", "--image", "--config", "--", "stage"}},
		{"global flag and help", []string{"kship", "deploy", "stage", "--config", "x.yaml", "-h"}, []string{"kship", "--config", "x.yaml", "deploy", "-h"}},
		{"global flag without its value", []string{"kship", "deploy", "stage", "--config"}, []string{"kship", "--config"}},
		{"argument named like a global flag", []string{"kship", "build", "config"}, []string{"kship", "build", "--", "config"}},
		{"unknown command", []string{"kship", "nope", "stage", "--config", "x.yaml"}, []string{"kship", "nope", "stage", "--config", "x.yaml"}},
		{"exec keeps the -- before its command", []string{"kship", "exec", "stage", "api", "-c", "web", "--", "ls", "-la"}, []string{"kship", "exec", "-c", "web", "--", "stage", "api", "--", "ls", "-la"}},
		{"help and version stay put", []string{"kship", "envs", "--version"}, []string{"kship", "envs", "--version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, interspersed(app, tt.in)); diff != "" {
				t.Errorf("interspersed(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
