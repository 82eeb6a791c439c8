package main

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantTrees []string
		wantRuns  int
		wantErr   string
	}{
		{name: "defaults", wantTrees: []string{"small", "100svc", "300svc", "1000svc", "bytes", "crds", "flat"}, wantRuns: 5},
		{name: "trees and runs", args: []string{"-trees", "small, bytes,", "-n", "2"}, wantTrees: []string{"small", "bytes"}, wantRuns: 2},
		{name: "no runs", args: []string{"-n", "0"}, wantErr: "-n 0"},
		{name: "stray argument", args: []string{"small"}, wantErr: "unexpected arguments"},
		{name: "unknown group", args: []string{"-groups", "deploy"}, wantErr: `unknown group "deploy": want one of build, apply, validate`},
		{name: "no group", args: []string{"-groups", ","}, wantErr: "no groups selected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(tt.args, io.Discard)
			if err == nil {
				_, err = cfg.groupsFor()
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.wantTrees, cfg.build.trees); d != "" {
				t.Errorf("trees mismatch (-want +got):\n%s", d)
			}
			if cfg.runs != tt.wantRuns {
				t.Errorf("runs = %d, want %d", cfg.runs, tt.wantRuns)
			}
		})
	}
}
