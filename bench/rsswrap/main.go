// Command rsswrap runs one command and writes its wall time, CPU time and
// peak memory as JSON on file descriptor 3, for the benchmark harness.
//
// Linux reports a process's peak memory as at least the peak of the process
// that started it (Go starts children with vfork, and the kernel carries the
// parent's high-water mark across exec). The harness holds tens of MB, which
// would hide the peak of anything smaller; this program is small, and it
// imports nothing heavy so that it stays small.
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
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rsswrap COMMAND [ARG...]  (measurements on fd 3)")
		os.Exit(2)
	}
	report := os.NewFile(3, "report")
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
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
			"wallNanos": int64(wall), "cpuNanos": int64(ps.UserTime() + ps.SystemTime()), "maxRSS": maxRSS})
	}
	os.Exit(ps.ExitCode())
}
