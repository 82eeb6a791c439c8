package main

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"strings"
)

// Exponents fits each tool's median wall time over the cases that say
// how many objects they handle to time = c·objects^k, by least squares on
// the logarithms, and renders k for both: 1 is linear, 2 quadratic. It is
// "" with fewer than two such cases.
func Exponents(results []Result) string {
	var sizes []float64
	var subject, baseline []float64
	var names []string
	var subjectName, baselineName string
	for _, r := range results {
		if r.Case.Objects == 0 || len(r.Subject) == 0 || len(r.Baseline) == 0 {
			continue
		}
		subjectName, baselineName = r.Case.Subject.Name, r.Case.Baseline.Name
		sizes = append(sizes, float64(r.Case.Objects))
		subject = append(subject, Summarize(r.Subject).Wall.Seconds())
		baseline = append(baseline, Summarize(r.Baseline).Wall.Seconds())
		names = append(names, thousands(r.Case.Objects))
	}
	if len(sizes) < 2 {
		return ""
	}
	return fmt.Sprintf("build time ∝ objects^k over %s objects: k = %.2f for %s, %.2f for %s",
		strings.Join(names, "/"), slope(sizes, subject), subjectName, slope(sizes, baseline), baselineName)
}

// slope is the least-squares slope of log(ys) over log(xs).
func slope(xs, ys []float64) float64 {
	var sx, sy, sxx, sxy float64
	for i := range xs {
		x, y := math.Log(xs[i]), math.Log(ys[i])
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	n := float64(len(xs))
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// versionArgs are how each peer says its version.
var versionArgs = map[string][]string{
	"kustomize":   {"version"},
	"kubectl":     {"version", "--client"},
	"kubeconform": {"-v"},
}

// PeerVersions renders the versions of the peers the results compare
// with, as each reports it, in the order they first appear.
func PeerVersions(ctx context.Context, results []Result) string {
	seen := map[string]bool{}
	var out []string
	for _, r := range results {
		b := r.Case.Baseline
		args, ok := versionArgs[b.Name]
		if !ok || seen[b.Path] {
			continue
		}
		seen[b.Path] = true
		v, err := exec.CommandContext(ctx, b.Path, args...).Output()
		version := strings.Join(strings.Fields(string(v)), " ")
		if err != nil || version == "" {
			version = "unknown"
		}
		out = append(out, b.Name+" "+version)
	}
	if len(out) == 0 {
		return "peers: none"
	}
	return "peers: " + strings.Join(out, "; ")
}
