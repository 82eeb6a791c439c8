package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInterspersed(t *testing.T) {
	app := newApp(nil, nil, nil)
	tests := []struct{ in, want []string }{
		{[]string{"kship", "build", "stage", "--image", "a=b:1", "-o", "json"}, []string{"kship", "build", "--image", "a=b:1", "-o", "json", "--", "stage"}},
		{[]string{"kship", "--config", "k.yaml", "build", "stage"}, []string{"kship", "--config", "k.yaml", "build", "--", "stage"}},
		{[]string{"kship", "deploy", "stage", "--dry-run", "--timeout=1m"}, []string{"kship", "deploy", "--dry-run", "--timeout=1m", "--", "stage"}},
		{[]string{"kship", "build", "--", "-odd-dir"}, []string{"kship", "build", "--", "-odd-dir"}},
		{[]string{"kship", "build", "stage", "--help"}, []string{"kship", "build", "--help"}},
		{[]string{"kship"}, []string{"kship"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, interspersed(app, tt.in)); diff != "" {
			t.Errorf("interspersed(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
