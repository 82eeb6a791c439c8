package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sh(name, script string) Command {
	return Command{Name: name, Path: "/bin/sh", Args: []string{"-c", script}}
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		name       string
		c          Case
		n          int
		wantOrder  []string
		wantDetail string
		wantErr    string
	}{
		{
			name: "alternates which command goes first",
			c: Case{
				Group: "g", Name: "c",
				Subject: sh("kship", "echo same"), Baseline: sh("other", "echo same"),
				Check: func(a, b []byte) (string, error) { return string(bytes.TrimSpace(a)), nil },
			},
			n:          3,
			wantOrder:  []string{"kship", "other", "other", "kship", "kship", "other"},
			wantDetail: "same",
		},
		{
			name: "disagreeing outputs fail before timing",
			c: Case{
				Group: "g", Name: "c",
				Subject: sh("kship", "echo a"), Baseline: sh("other", "echo b"),
				Check: func(a, b []byte) (string, error) {
					if !bytes.Equal(a, b) {
						return "", errors.New("differ")
					}
					return "", nil
				},
			},
			n:       2,
			wantErr: "g/c: kship and other disagree: differ",
		},
		{
			name: "a failing command reports its stderr",
			c: Case{
				Group: "g", Name: "c",
				Subject: sh("kship", "echo broken tree >&2; exit 3"), Baseline: sh("other", "true"),
			},
			n:       1,
			wantErr: "broken tree",
		},
		{
			name: "Before runs before every run and can fail",
			c: Case{
				Group: "g", Name: "c",
				Subject: sh("kship", "true"), Baseline: sh("other", "true"),
				Before: func(context.Context) error { return errors.New("no cluster") },
			},
			n:       1,
			wantErr: "g/c: before a run: no cluster",
		},
		{
			name:    "at least one run",
			c:       Case{Group: "g", Name: "c", Subject: sh("kship", "true"), Baseline: sh("other", "true")},
			n:       0,
			wantErr: "runs = 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var order []string
			res, err := Measure(t.Context(), tt.c, tt.n, func(_ Case, _, _ int, cmd Command) {
				order = append(order, cmd.Name)
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Measure() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.wantOrder, order); d != "" {
				t.Errorf("run order mismatch (-want +got):\n%s", d)
			}
			if res.Detail != tt.wantDetail {
				t.Errorf("Detail = %q, want %q", res.Detail, tt.wantDetail)
			}
			if len(res.Subject) != tt.n || len(res.Baseline) != tt.n {
				t.Errorf("got %d and %d samples, want %d each", len(res.Subject), len(res.Baseline), tt.n)
			}
			for _, s := range append(res.Subject, res.Baseline...) {
				if s.Wall <= 0 || s.MaxRSS <= 0 {
					t.Errorf("sample %+v: want positive wall time and peak RSS", s)
				}
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		samples []Sample
		want    Stats
	}{
		{"none", nil, Stats{}},
		{"odd count: middle value, highest RSS", []Sample{
			{Wall: 30 * ms, CPU: 3 * ms, MaxRSS: 10},
			{Wall: 10 * ms, CPU: 1 * ms, MaxRSS: 30},
			{Wall: 20 * ms, CPU: 2 * ms, MaxRSS: 20},
		}, Stats{Wall: 20 * ms, CPU: 2 * ms, MaxRSS: 30}},
		{"even count: mean of the middle two", []Sample{
			{Wall: 40 * ms}, {Wall: 10 * ms}, {Wall: 20 * ms}, {Wall: 1000 * ms},
		}, Stats{Wall: 30 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, Summarize(tt.samples)); d != "" {
				t.Errorf("Summarize() mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct{ got, want string }{
		{fmtDuration(1500 * time.Microsecond), "1.5ms"},
		{fmtDuration(2346 * time.Millisecond), "2.35s"},
		{fmtDuration(17123 * time.Millisecond), "17.1s"},
		{fmtBytes(512), "512 B"},
		{fmtBytes(3 << 10), "3.0 KiB"},
		{fmtBytes(163*(1<<20) + 600<<10), "163.6 MiB"},
		{fmtBytes(5 << 30), "5.0 GiB"},
		{ratio(3, 2), "1.50"},
		{ratio(1, 0), "-"},
		{thousands(7), "7"},
		{thousands(1502), "1,502"},
		{thousands(1234567), "1,234,567"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	ms := time.Millisecond
	results := []Result{{
		Case:     Case{Group: "build", Name: "small", Baseline: Command{Name: "kustomize"}},
		Detail:   "7 objects",
		Subject:  []Sample{{Wall: 90 * ms, CPU: 80 * ms, MaxRSS: 70 << 20}, {Wall: 80 * ms, CPU: 70 * ms, MaxRSS: 69 << 20}},
		Baseline: []Sample{{Wall: 60 * ms, CPU: 50 * ms, MaxRSS: 35 << 20}, {Wall: 60 * ms, CPU: 50 * ms, MaxRSS: 36 << 20}},
		Checked:  [2]Sample{{PeakPrivate: 14 << 20}, {PeakPrivate: 7 << 20}},
	}, {
		Case:     Case{Group: "build", Name: "unsampled", Baseline: Command{Name: "kustomize"}},
		Subject:  []Sample{{Wall: 90 * ms, CPU: 80 * ms, MaxRSS: 70 << 20}},
		Baseline: []Sample{{Wall: 60 * ms, CPU: 50 * ms, MaxRSS: 35 << 20}},
	}}
	var b strings.Builder
	if err := WriteTable(&b, results); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"CASE             DETAIL     VS         RUNS  WALL kship  WALL vs  WALL ratio  CPU kship  CPU vs  PEAK RSS kship  PEAK RSS vs  RSS ratio  PRIVATE kship  PRIVATE vs  PRIVATE ratio\n" +
		"build/small      7 objects  kustomize  2     85.0ms      60.0ms   1.42        75.0ms     50.0ms  70.0 MiB        36.0 MiB     1.94       14.0 MiB       7.0 MiB     2.00\n" +
		"build/unsampled             kustomize  1     90.0ms      60.0ms   1.50        80.0ms     50.0ms  70.0 MiB        35.0 MiB     2.00       -              -           -\n"
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("WriteTable() mismatch (-want +got):\n%s", d)
	}
}

// TestMeasureSamplesPrivateOnTheCheckingRun runs a case through rsswrap: the
// checking runs' private memory is kept, and the timed runs are not sampled.
func TestMeasureSamplesPrivateOnTheCheckingRun(t *testing.T) {
	if _, err := os.Stat("/proc/self/statm"); err != nil {
		t.Skip("no /proc here")
	}
	wrap := filepath.Join(t.TempDir(), "rsswrap")
	if out, err := exec.Command("go", "build", "-o", wrap, "./rsswrap").CombinedOutput(); err != nil {
		t.Fatalf("go build ./rsswrap: %v\n%s", err, out)
	}
	old := rssWrap
	rssWrap = wrap
	t.Cleanup(func() { rssWrap = old })
	// sh holds a 32 MiB variable for a moment; the other does nothing for
	// long enough to be sampled (a process gone within the first
	// millisecond never is).
	hold := sh("kship", `x=$(head -c 33554432 /dev/zero | tr '\0' a); sleep 0.1; echo ${#x}`)
	res, err := Measure(context.Background(), Case{Group: "g", Name: "c", Subject: hold, Baseline: sh("other", "sleep 0.05")}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Checked[0].PeakPrivate; got < 32<<20 {
		t.Errorf("kship's checking run: private peak %d, want at least 32 MiB", got)
	}
	if got := res.Checked[1].PeakPrivate; got <= 0 || got >= 32<<20 {
		t.Errorf("the other's checking run: private peak %d, want a few MiB", got)
	}
	for _, s := range append(res.Subject, res.Baseline...) {
		if s.PeakPrivate != 0 {
			t.Errorf("timed run %+v: sampled, want not", s)
		}
	}
}
