package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Sample is what one run of a command cost.
type Sample struct {
	Wall   time.Duration // elapsed real time
	CPU    time.Duration // user + system time
	MaxRSS int64         // peak resident set size, in bytes
	// PeakPrivate is the peak of the memory the command's processes held
	// that is no file's (heap, stacks), sampled; 0 if not sampled. Unlike
	// MaxRSS it leaves out the binary's mapped pages.
	PeakPrivate int64
}

// Result holds the samples of one case.
type Result struct {
	Case     Case
	Detail   string   // from Case.Check
	Subject  []Sample // kship
	Baseline []Sample // the other tool
	// Checked are the checking runs of kship and of the other tool, which
	// are not timed (except a Once case's) but have their private memory
	// sampled.
	Checked [2]Sample
}

// Stats summarizes samples: median times, the highest peak RSS seen, and
// the private memory of a Result's checking run.
type Stats struct {
	Wall, CPU           time.Duration
	MaxRSS, PeakPrivate int64
}

// Progress is told about each timed run before it starts.
type Progress func(c Case, run, runs int, cmd Command)

// Measure checks that the case's commands agree, then runs each n times,
// alternating which goes first so that neither always meets a warmer cache.
// The checking run also warms the page cache for both. A case marked Once
// is run once a side, and that checking run is its measurement.
func Measure(ctx context.Context, c Case, n int, progress Progress) (Result, error) {
	res := Result{Case: c}
	if n < 1 {
		return res, fmt.Errorf("%s: runs = %d, want at least 1", c.ID(), n)
	}
	var outs [2]bytes.Buffer
	for i, cmd := range []Command{c.Subject, c.Baseline} {
		if err := runBefore(ctx, c); err != nil {
			return res, err
		}
		if c.Once && progress != nil {
			progress(c, 1, 1, cmd)
		}
		s, err := runOnce(ctx, cmd, &outs[i], true)
		if err != nil {
			return res, fmt.Errorf("%s: %w", c.ID(), err)
		}
		if err := runAfter(ctx, c, cmd); err != nil {
			return res, err
		}
		res.Checked[i] = s
		if c.Once && i == 0 {
			res.Subject = []Sample{s}
		} else if c.Once {
			res.Baseline = []Sample{s}
		}
	}
	if c.Check != nil {
		detail, err := c.Check(outs[0].Bytes(), outs[1].Bytes())
		if err != nil {
			return res, fmt.Errorf("%s: %s and %s disagree: %w", c.ID(), c.Subject.Name, c.Baseline.Name, err)
		}
		res.Detail = detail
	}
	if c.Once {
		n = 0
	}
	for i := range n {
		order := []*[]Sample{&res.Subject, &res.Baseline}
		cmds := []Command{c.Subject, c.Baseline}
		if i%2 == 1 {
			slices.Reverse(order)
			slices.Reverse(cmds)
		}
		for j, cmd := range cmds {
			if err := runBefore(ctx, c); err != nil {
				return res, err
			}
			if progress != nil {
				progress(c, i+1, n, cmd)
			}
			s, err := runOnce(ctx, cmd, nil, false)
			if err != nil {
				return res, fmt.Errorf("%s: %w", c.ID(), err)
			}
			if err := runAfter(ctx, c, cmd); err != nil {
				return res, err
			}
			*order[j] = append(*order[j], s)
		}
	}
	return res, nil
}

func runBefore(ctx context.Context, c Case) error {
	if c.Before == nil {
		return nil
	}
	if err := c.Before(ctx); err != nil {
		return fmt.Errorf("%s: before a run: %w", c.ID(), err)
	}
	return nil
}

func runAfter(ctx context.Context, c Case, cmd Command) error {
	if c.After == nil {
		return nil
	}
	if err := c.After(ctx); err != nil {
		return fmt.Errorf("%s: after a run of %s: %w", c.ID(), cmd.Name, err)
	}
	return nil
}

// runOnce runs cmd with stdout going to w (nil: /dev/null) and measures it;
// private asks for its private memory to be sampled too, which slows it a
// little (the checking run's: the timed runs are not sampled).
func runOnce(ctx context.Context, c Command, w io.Writer, private bool) (Sample, error) {
	if rssWrap == "" {
		cmd := exec.CommandContext(ctx, c.Path, c.Args...)
		began := time.Now()
		if err := runCommand(c, cmd, w); err != nil {
			return Sample{}, err
		}
		ps := cmd.ProcessState
		return Sample{Wall: time.Since(began), CPU: ps.UserTime() + ps.SystemTime(), MaxRSS: maxRSS(ps)}, nil
	}
	// Through a small parent, so the peak memory is the command's own.
	r, pw, err := os.Pipe()
	if err != nil {
		return Sample{}, err
	}
	defer r.Close()
	args := append([]string{c.Path}, c.Args...)
	if private {
		args = append([]string{"-private"}, args...)
	}
	cmd := exec.CommandContext(ctx, rssWrap, args...)
	cmd.ExtraFiles = []*os.File{pw}
	err = runCommand(c, cmd, w)
	pw.Close()
	if err != nil {
		return Sample{}, err
	}
	var rep struct{ WallNanos, CPUNanos, MaxRSS, PeakPrivate int64 }
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return Sample{}, fmt.Errorf("%s: reading its measurements: %w", c, err)
	}
	return Sample{Wall: time.Duration(rep.WallNanos), CPU: time.Duration(rep.CPUNanos), MaxRSS: rep.MaxRSS, PeakPrivate: rep.PeakPrivate}, nil
}

// rssWrap is the small parent (./bench/rsswrap) that runs each measured
// command so that its peak memory is its own; "" runs commands directly.
var rssWrap string

// runCommand runs cmd in c's directory and environment, stdout to w (nil:
// /dev/null), and returns an error with the end of its stderr if it fails.
func runCommand(c Command, cmd *exec.Cmd, w io.Writer) error {
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("%s: %w\n%s", c, err, lastLines(stderr.String(), 10))
		}
		return fmt.Errorf("%s: %w", c, err)
	}
	return nil
}

// Stats summarizes kship's samples and the other tool's; their private
// memory is their checking runs', the only ones sampled.
func (r Result) Stats() (kship, other Stats) {
	kship, other = Summarize(r.Subject), Summarize(r.Baseline)
	kship.PeakPrivate, other.PeakPrivate = r.Checked[0].PeakPrivate, r.Checked[1].PeakPrivate
	return kship, other
}

// Summarize returns the median times and the highest peak RSS of samples.
func Summarize(samples []Sample) Stats {
	var st Stats
	if len(samples) == 0 {
		return st
	}
	walls := make([]time.Duration, len(samples))
	cpus := make([]time.Duration, len(samples))
	for i, s := range samples {
		walls[i], cpus[i] = s.Wall, s.CPU
		st.MaxRSS = max(st.MaxRSS, s.MaxRSS)
	}
	st.Wall, st.CPU = median(walls), median(cpus)
	return st
}

// median returns the middle value, or the mean of the two middle values.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// WriteTable writes one row per result: median wall and CPU time, peak RSS
// and peak private memory of kship and of the other tool, with kship/other
// ratios (below 1 means kship is faster or smaller).
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tDETAIL\tVS\tRUNS\tWALL kship\tWALL vs\tWALL ratio\tCPU kship\tCPU vs\tPEAK RSS kship\tPEAK RSS vs\tRSS ratio\tPRIVATE kship\tPRIVATE vs\tPRIVATE ratio")
	for _, r := range results {
		s, b := r.Stats()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Case.ID(), r.Detail, r.Case.Baseline.Name, len(r.Subject),
			fmtDuration(s.Wall), fmtDuration(b.Wall), ratio(float64(s.Wall), float64(b.Wall)),
			fmtDuration(s.CPU), fmtDuration(b.CPU),
			fmtBytes(s.MaxRSS), fmtBytes(b.MaxRSS), ratio(float64(s.MaxRSS), float64(b.MaxRSS)),
			fmtMeasured(s.PeakPrivate), fmtMeasured(b.PeakPrivate), ratio(float64(s.PeakPrivate), float64(b.PeakPrivate)))
	}
	return tw.Flush()
}

func fmtDuration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	default:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
}

// fmtMeasured renders n in binary units, or "-" for 0: not measured.
func fmtMeasured(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmtBytes(n)
}

// fmtBytes renders n in binary units.
func fmtBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, exp := float64(n)/unit, 0
	for v >= unit && exp < 3 {
		v /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[exp])
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// lastLines returns the last n lines of s, for error messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
