package main

import (
	"strings"
	"testing"
)

func TestSameBuild(t *testing.T) {
	tests := []struct {
		name             string
		kship, kustomize string
		wantDetail       string
		wantErr          string
	}{
		{"equal", "a: 1\n---\nb: 2\n", "a: 1\n---\nb: 2\n", "2 objects, 14 B", ""},
		{"empty", "", "", "0 objects, 0 B", ""},
		{"different", "a: 1\n", "a: 2\n", "", "first difference at line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			detail, err := sameBuild([]byte(tt.kship), []byte(tt.kustomize))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("sameBuild() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || detail != tt.wantDetail {
				t.Errorf("sameBuild() = %q, %v; want %q", detail, err, tt.wantDetail)
			}
		})
	}
}

func TestBuildGroupErrors(t *testing.T) {
	tests := []struct {
		name    string
		trees   []string
		wantErr string
	}{
		{"no trees", nil, "no trees selected"},
		{"unknown tree", []string{"small", "huge"}, `unknown tree "huge": want one of small, 100svc, 300svc, 1000svc, bytes`},
		{"kship binary without build info", []string{"small"}, "reading Go build info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &buildGroup{trees: tt.trees, kustomize: "/bin/sh"}
			_, err := g.Cases(t.Context(), &Env{Root: t.TempDir(), Tmp: t.TempDir(), Kship: "/bin/sh"})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Cases() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
