// Command rsswrap runs one command and writes its wall time, CPU time and
// peak memory as JSON on file descriptor 3, for the benchmark harness.
//
// Linux reports a process's peak memory as at least the peak of the process
// that started it (Go starts children with vfork, and the kernel carries the
// parent's high-water mark across exec). The harness holds tens of MB, which
// would hide the peak of anything smaller; this program is small, and it
// imports nothing heavy so that it stays small.
//
// Peak RSS counts the pages of the command's binary that are mapped, which
// for a large binary is most of it (see private.go). So rsswrap also
// samples the command's private memory, when its first argument is
// -private: what its processes, together, hold that is not a file's page.
// Sampling costs the command some of its speed, so the harness asks for it
// on the runs it does not time.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	args := os.Args[1:]
	sample := len(args) > 0 && args[0] == "-private"
	if sample {
		args = args[1:]
	}
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: rsswrap [-private] COMMAND [ARG...]  (measurements on fd 3)")
		os.Exit(2)
	}
	report := os.NewFile(3, "report")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		os.Exit(1)
	}
	var s *sampler
	if sample {
		s = startSampler(cmd.Process.Pid)
	}
	err := cmd.Wait()
	wall := time.Since(start)
	private := s.stop()
	ps := cmd.ProcessState
	if ps == nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		os.Exit(1)
	}
	var maxRSS int64
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		maxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	if report != nil {
		_ = json.NewEncoder(report).Encode(map[string]int64{
			"wallNanos": int64(wall), "cpuNanos": int64(ps.UserTime() + ps.SystemTime()),
			"maxRSS": maxRSS, "peakPrivate": private})
	}
	os.Exit(ps.ExitCode())
}
