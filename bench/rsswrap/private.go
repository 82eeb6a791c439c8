package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A sampler follows the private memory of a process and its descendants:
// the resident pages that belong to no file (heap, stacks), summed over the
// processes alive at once, read from /proc every millisecond. A peak
// between two readings is missed, so this is a lower bound; a Go program's
// heap grows until a collection, so the peak it misses is small.
//
// The peak RSS the kernel keeps counts the mapped pages of the binary too,
// and on a kernel that caches files in large folios a page fault maps a
// whole folio: a 150 MB binary then costs about 100 MB of RSS however
// little of it runs. Those pages are the page cache's, shared and clean,
// and they are dropped, not swapped, under pressure.
type sampler struct {
	done chan struct{}
	peak chan int64
}

// sampleEvery is how often the processes' memory is read, and rescanEvery
// after how many readings the processes are listed again (a pipeline
// starts new ones).
const (
	sampleEvery = time.Millisecond
	rescanEvery = 20
)

// startSampler starts following pid and its descendants.
func startSampler(pid int) *sampler {
	s := &sampler{done: make(chan struct{}), peak: make(chan int64, 1)}
	go s.run(pid)
	return s
}

// stop ends the sampling and returns the peak, in bytes; 0 where /proc
// says nothing, or for a nil sampler.
func (s *sampler) stop() int64 {
	if s == nil {
		return 0
	}
	close(s.done)
	return <-s.peak
}

func (s *sampler) run(pid int) {
	page := int64(os.Getpagesize())
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	var peak int64
	var pids []int
	for i := 0; ; i++ {
		if i%rescanEvery == 0 {
			pids = tree(pid)
		}
		var sum int64
		for _, p := range pids {
			sum += private(p) * page
		}
		peak = max(peak, sum)
		select {
		case <-s.done:
			s.peak <- peak
			return
		case <-t.C:
		}
	}
}

// private returns the resident pages of pid that are not a file's: statm's
// resident less its shared (file-backed and shared memory) pages.
func private(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0 // gone
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return 0
	}
	resident, err1 := strconv.ParseInt(f[1], 10, 64)
	shared, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil || resident < shared {
		return 0
	}
	return resident - shared
}

// tree returns pid and its descendants, from each thread's children list.
func tree(pid int) []int {
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(out[i]) + "/task/*/children")
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
				}
			}
		}
	}
	return out
}
