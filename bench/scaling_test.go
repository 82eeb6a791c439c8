package main

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

func TestSlope(t *testing.T) {
	xs := []float64{100, 300, 1000}
	for want, ys := range map[float64][]float64{
		1: {1, 3, 10},
		2: {1, 9, 100},
	} {
		if got := slope(xs, ys); math.Abs(got-want) > 1e-9 {
			t.Errorf("slope(%v, %v) = %v, want %v", xs, ys, got, want)
		}
	}
}

func TestExponents(t *testing.T) {
	result := func(objects int, kship, kustomize time.Duration) Result {
		return Result{Case: Case{Objects: objects, Subject: Command{Name: "kship"}, Baseline: Command{Name: "kustomize"}},
			Subject: []Sample{{Wall: kship}}, Baseline: []Sample{{Wall: kustomize}}}
	}
	small := Result{Case: Case{Subject: Command{Name: "kship"}, Baseline: Command{Name: "kustomize"}}, Subject: []Sample{{Wall: time.Second}}, Baseline: []Sample{{Wall: time.Second}}}
	if got := Exponents([]Result{small, result(500, time.Second, time.Second)}); got != "" {
		t.Errorf("one sized case gives %q, want nothing", got)
	}
	got := Exponents([]Result{small, result(500, time.Second, time.Second), result(5000, 10*time.Second, 100*time.Second)})
	if want := "over 500/5,000 objects: k = 1.00 for kship, 2.00 for kustomize"; !strings.Contains(got, want) {
		t.Errorf("Exponents = %q, want it to say %q", got, want)
	}
}

// TestMeasureOnce: a case measured once times its checking run, and runs
// each command no more.
func TestMeasureOnce(t *testing.T) {
	dir := t.TempDir()
	c := Case{Group: "g", Name: "slow", Once: true,
		Subject: sh("kship", "echo x >> "+dir+"/runs"), Baseline: sh("other", "echo y >> "+dir+"/runs")}
	res, err := Measure(context.Background(), c, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Subject) != 1 || len(res.Baseline) != 1 || res.Subject[0].Wall <= 0 {
		t.Errorf("samples: %+v, %+v", res.Subject, res.Baseline)
	}
	runs, err := readLines(dir + "/runs")
	if err != nil || len(runs) != 2 {
		t.Errorf("ran %v (%v), want each command once", runs, err)
	}
}

func TestPeerVersions(t *testing.T) {
	results := []Result{{Case: Case{Baseline: Command{Name: "kustomize", Path: "/bin/echo"}}}, {Case: Case{Baseline: Command{Name: "kustomize", Path: "/bin/echo"}}},
		{Case: Case{Baseline: Command{Name: "bare SSA loop", Path: "/bin/false"}}}}
	if got := PeerVersions(context.Background(), results); got != "peers: kustomize version" {
		t.Errorf("PeerVersions = %q", got)
	}
}

func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	return strings.Fields(string(b)), err
}
