package build

import (
	"sync"
	"testing"
	"time"

	"github.com/kship/kship/internal/treegen"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// recordFS remembers every file read, for replaying the checks alone.
type recordFS struct {
	filesys.FileSystem
	mu    sync.Mutex
	reads map[string][]byte
	order []string
}

func (r *recordFS) ReadFile(p string) ([]byte, error) {
	b, err := r.FileSystem.ReadFile(p)
	if err == nil {
		r.mu.Lock()
		r.reads[p] = b
		r.order = append(r.order, p)
		r.mu.Unlock()
	}
	return b, err
}

// BenchmarkLimits300 measures what the limits layer adds to a build of the
// 300-service tree: the checks of every read the build makes (a stat, the
// size, the alias scan), replayed on their own, against build-ms, the one
// build (checks included) that recorded those reads, under the same load.
func BenchmarkLimits300(b *testing.B) {
	dir := b.TempDir()
	if err := treegen.Services(dir, 300); err != nil {
		b.Fatal(err)
	}
	rec := &recordFS{FileSystem: filesys.MakeFsOnDisk(), reads: map[string][]byte{}}
	start := time.Now()
	if _, err := BuildFS(rec, dir, Options{}); err != nil {
		b.Fatal(err)
	}
	buildMS := float64(time.Since(start).Milliseconds())
	var bytes int
	for _, p := range rec.order {
		bytes += len(rec.reads[p])
	}
	b.ResetTimer()
	for range b.N {
		l := limited(filesys.MakeFsOnDisk(), Limits{}, nil).(*limitFS)
		for _, p := range rec.order {
			if err := l.precheck(p); err != nil {
				b.Fatal(err)
			}
			if err := l.budget.Check(p, rec.reads[p]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(buildMS, "build-ms")
	b.ReportMetric(float64(len(rec.order)), "reads")
	b.ReportMetric(float64(bytes), "bytes")
}

// BenchmarkBuild300 builds the 300-service tree, checks included.
func BenchmarkBuild300(b *testing.B) {
	dir := b.TempDir()
	if err := treegen.Services(dir, 300); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Build(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
