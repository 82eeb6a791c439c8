package build

import (
	"os"
	"reflect"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// statFS is a filesystem that describes a file without opening it: the
// disk, or gitfs.FS from its tree listing, whose Open reads the whole blob.
type statFS interface {
	Stat(path string) (os.FileInfo, error)
}

// diskStat gives the disk filesystem a Stat, which kyaml's lacks.
type diskStat struct{ filesys.FileSystem }

// Stat describes the file at p, following symbolic links.
func (diskStat) Stat(p string) (os.FileInfo, error) { return os.Stat(p) }

var onDisk = reflect.TypeOf(filesys.MakeFsOnDisk())

// limitFS checks every file kustomize reads against a Budget before
// handing it over: its size before reading it when the filesystem can
// tell, then its content (size, alias expansion, the build's total).
// Everything else passes through.
type limitFS struct {
	filesys.FileSystem
	budget *Budget
	// decoder, when not nil, turns what was read into what kustomize sees.
	decoder Decoder

	mu      sync.Mutex
	refused error // the first refusal, which kustomize's error may bury
	// execFns are files that declare exec KRM functions, which kustomize
	// skips without a word unless exec functions are enabled.
	execFns []string
}

// limited wraps fSys so that reads are checked against l, and decoded by
// dec when it is not nil.
func limited(fSys filesys.FileSystem, l Limits, dec Decoder) filesys.FileSystem {
	if reflect.TypeOf(fSys) == onDisk {
		fSys = diskStat{fSys}
	}
	return &limitFS{FileSystem: fSys, budget: NewBudget(l), decoder: dec}
}

// ReadFile reads and checks the file at p.
func (l *limitFS) ReadFile(p string) ([]byte, error) {
	if err := l.precheck(p); err != nil {
		return nil, l.refuse(err)
	}
	data, err := l.FileSystem.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if err := l.budget.Check(p, data); err != nil {
		return nil, l.refuse(err)
	}
	if data, err = l.decode(p, data); err != nil {
		return nil, l.refuse(err)
	}
	if declaresExecFunction(data) {
		l.mu.Lock()
		l.execFns = append(l.execFns, p)
		l.mu.Unlock()
	}
	return data, nil
}

// decode returns what the decoder makes of data, checked against the
// limits when it is not data itself.
func (l *limitFS) decode(p string, data []byte) ([]byte, error) {
	if l.decoder == nil {
		return data, nil
	}
	out, err := l.decoder.Decode(p, data)
	if err != nil || (len(out) == len(data) && (len(out) == 0 || &out[0] == &data[0])) {
		return out, err
	}
	return out, l.budget.Check(p, out)
}

// refuse records err if it is the first refusal, and returns it.
func (l *limitFS) refuse(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refused == nil {
		l.refused = err
	}
	return err
}

// refusal returns the first file fSys refused, if fSys is a limitFS.
func refusal(fSys filesys.FileSystem) error {
	l, ok := fSys.(*limitFS)
	if !ok {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}

// Open opens the file at p after the size check; kustomize reads
// resources with ReadFile, so this only guards what else might open one.
func (l *limitFS) Open(p string) (filesys.File, error) {
	if err := l.precheck(p); err != nil {
		return nil, l.refuse(err)
	}
	return l.FileSystem.Open(p)
}

// precheck refuses a file whose size is over the limit, or that is not a
// regular file, without reading it. Errors finding the file are left for
// ReadFile to report.
func (l *limitFS) precheck(p string) error {
	var info os.FileInfo
	if s, ok := l.FileSystem.(statFS); ok {
		var err error
		if info, err = s.Stat(p); err != nil {
			return nil
		}
	} else {
		f, err := l.FileSystem.Open(p)
		if err != nil {
			return nil
		}
		info, err = f.Stat()
		f.Close()
		if err != nil {
			return nil
		}
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		return &LimitError{Path: p, What: "not a regular file"}
	}
	return l.budget.CheckSize(p, info.Size())
}

// execFunctions returns the files fSys read that declare exec KRM
// functions, if fSys is a limitFS.
func execFunctions(fSys filesys.FileSystem) []string {
	l, ok := fSys.(*limitFS)
	if !ok {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.execFns...)
}
