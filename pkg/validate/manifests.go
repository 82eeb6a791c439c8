package validate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// ReadManifests decodes a YAML stream (documents separated by ---) or a
// JSON document into objects; a kind: List is flattened into its items.
// name is for messages. YAML documents are decoded in parallel, as
// kubectl decodes each (sigs.k8s.io/yaml, YAML 1.1).
func ReadManifests(r io.Reader, name string) ([]*unstructured.Unstructured, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return decodeManifests(b, name)
}

// decodeManifests is ReadManifests of what has been read.
func decodeManifests(b []byte, name string) ([]*unstructured.Unstructured, error) {
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		var m map[string]any
		if err := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(t), 4096).Decode(&m); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return flatten(nil, m), nil
	}
	docs, err := splitDocuments(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	maps := make([]map[string]any, len(docs))
	errs := make([]error, len(docs))
	var wg sync.WaitGroup
	next := make(chan int, len(docs))
	for i := range docs {
		next <- i
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), len(docs)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = unmarshalDocument(docs[i], &maps[i])
			}
		})
	}
	wg.Wait()
	var out []*unstructured.Unstructured
	for i, m := range maps {
		if errs[i] != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i+1, errs[i])
		}
		out = flatten(out, m)
	}
	return out, nil
}

// splitDocuments splits a YAML stream at its --- lines.
func splitDocuments(b []byte) ([][]byte, error) {
	rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var docs [][]byte
	for {
		doc, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
}

// flatten appends m to out, or its items if it is a List; empty
// documents are skipped.
func flatten(out []*unstructured.Unstructured, m map[string]any) []*unstructured.Unstructured {
	if m == nil {
		return out
	}
	u := &unstructured.Unstructured{Object: m}
	if !u.IsList() {
		return append(out, u)
	}
	items, _ := m["items"].([]any)
	for _, it := range items {
		if im, ok := it.(map[string]any); ok {
			out = append(out, &unstructured.Unstructured{Object: im})
		}
	}
	return out
}

// ReadFunc reads one input to its end; name is for messages. kship's is
// a build.Budget's ReadAll, which refuses inputs that are too large or
// whose YAML aliases expand too much before anything decodes them.
type ReadFunc func(name string, r io.Reader) ([]byte, error)

// ReadManifestFiles reads every path: a file, "-" for stdin, or a
// directory, whose .yaml, .yml and .json files are read recursively. Each
// input is read with read (io.ReadAll when nil) before it is decoded.
func ReadManifestFiles(paths []string, stdin io.Reader, read ReadFunc) ([]*unstructured.Unstructured, error) {
	if read == nil {
		read = func(_ string, r io.Reader) ([]byte, error) { return io.ReadAll(r) }
	}
	var out []*unstructured.Unstructured
	for _, p := range paths {
		if p == "-" {
			objs, err := readInput(read, "stdin", stdin)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
			continue
		}
		files, err := manifestFiles(p)
		if err != nil {
			return nil, err
		}
		for _, file := range files {
			objs, err := readFile(read, file)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
	}
	return out, nil
}

func readFile(read ReadFunc, file string) ([]*unstructured.Unstructured, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readInput(read, file, f)
}

func readInput(read ReadFunc, name string, r io.Reader) ([]*unstructured.Unstructured, error) {
	b, err := read(name, r)
	if err != nil {
		return nil, err
	}
	return decodeManifests(b, name)
}

func manifestFiles(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, path)
			}
		}
		return nil
	})
	return files, err
}
