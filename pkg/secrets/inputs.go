package secrets

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/konfig"
)

// inputs is what Decode saw of the files it was given, for Plaintext: no
// content, only paths and what kind of file each plaintext one is.
type inputs struct {
	// plain holds the files that were not SOPS-encrypted, and whether each
	// holds a v1 Secret manifest.
	plain map[string]bool
	// sources holds the secretGenerator files: and envs: of the
	// kustomization files read, cleaned and joined to their directories.
	sources map[string]bool
}

// note records path, a file Decode was given, whose content kustomize
// sees as out; plain says it was not SOPS-encrypted. A kustomization
// file's secretGenerator sources are noted, encrypted or not.
func (d *Decryptor) note(path string, out []byte, plain bool) {
	path = filepath.Clean(path)
	isK := isKustomization(path)
	var sources []string
	if isK {
		sources = generatorSources(path, out)
	}
	secret := plain && !isK && holdsSecret(out)
	d.mu.Lock()
	defer d.mu.Unlock()
	if plain {
		d.in.plain[path] = secret
	}
	for _, s := range sources {
		d.in.sources[s] = true
	}
}

// isKustomization reports whether path is named as kustomize names
// kustomization files.
func isKustomization(path string) bool {
	base := filepath.Base(path)
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if base == name {
			return true
		}
	}
	return false
}

// generator is the part of a secretGenerator entry that names files.
type generator struct {
	Files []string `yaml:"files"`
	Envs  []string `yaml:"envs"`
	Env   string   `yaml:"env"` // the legacy single env file
}

// generatorSources returns the files the secretGenerator entries of data,
// the kustomization file at path, read: files: (path or key=path), envs:
// and env:, joined to path's directory. A file kustomize cannot parse
// either gives none: the build fails on it anyway.
func generatorSources(path string, data []byte) []string {
	var k struct {
		SecretGenerator []generator `yaml:"secretGenerator"`
	}
	if yaml.Unmarshal(data, &k) != nil {
		return nil
	}
	dir := filepath.Dir(path)
	var out []string
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, filepath.Join(dir, p))
		}
	}
	for _, g := range k.SecretGenerator {
		for _, f := range g.Files {
			if _, p, ok := strings.Cut(f, "="); ok {
				f = p
			}
			add(f)
		}
		for _, e := range g.Envs {
			add(e)
		}
		add(g.Env)
	}
	return out
}

// holdsSecret reports whether a YAML document of data is a v1 Secret.
func holdsSecret(data []byte) bool {
	if !bytes.Contains(data, []byte("Secret")) {
		return false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc struct {
			typeMeta `yaml:",inline"`
			// Items are a List's, which kustomize reads as its objects.
			Items []typeMeta `yaml:"items"`
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			// A document that is not a mapping (a list, a scalar) is no
			// Secret; one that is not YAML ends the file for kustomize too.
			var te *yaml.TypeError
			if errors.As(err, &te) {
				continue
			}
			return false
		}
		if doc.secret() || slices.ContainsFunc(doc.Items, typeMeta.secret) {
			return true
		}
	}
}

type typeMeta struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
}

func (t typeMeta) secret() bool { return t.Kind == "Secret" && t.APIVersion == "v1" }
