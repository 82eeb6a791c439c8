package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestMain makes the test binary, when asked, a child that holds
// RSSWRAP_HOLD_MIB of touched memory for a moment and exits.
func TestMain(m *testing.M) {
	if mib, err := strconv.Atoi(os.Getenv("RSSWRAP_HOLD_MIB")); err == nil {
		b := make([]byte, mib<<20)
		for i := range b {
			b[i] = byte(i)
		}
		time.Sleep(150 * time.Millisecond)
		runtime.KeepAlive(b)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// sampled runs cmd under a sampler and returns its private peak in MiB.
func sampled(t *testing.T, cmd *exec.Cmd) int64 {
	t.Helper()
	if _, err := os.Stat("/proc/self/statm"); err != nil {
		t.Skip("no /proc here")
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := startSampler(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return s.stop() >> 20
}

func TestSamplerSeesHeldMemory(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "RSSWRAP_HOLD_MIB=64")
	if got := sampled(t, cmd); got < 64 || got > 96 {
		t.Errorf("peak private memory = %d MiB, want 64 MiB and the runtime's own few", got)
	}
}

func TestSamplerSumsAPipeline(t *testing.T) {
	// Two children at once, under a shell: their memory adds up.
	self := strconv.Quote(os.Args[0])
	cmd := exec.Command("/bin/sh", "-c", "RSSWRAP_HOLD_MIB=40 "+self+" & RSSWRAP_HOLD_MIB=40 "+self+"; wait")
	if got := sampled(t, cmd); got < 80 || got > 128 {
		t.Errorf("peak private memory = %d MiB, want 80 MiB (two children of 40) and the runtimes' own few", got)
	}
}

func TestNilSamplerStops(t *testing.T) {
	var s *sampler
	if got := s.stop(); got != 0 {
		t.Errorf("stop() = %d, want 0", got)
	}
}
