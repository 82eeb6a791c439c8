package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/getsops/sops/v3/cmd/sops/formats"
	yaml "go.yaml.in/yaml/v3"
)

var (
	yamlMeta   = regexp.MustCompile(`(?m)^["']?sops["']?\s*:`)
	jsonMeta   = regexp.MustCompile(`"sops"\s*:`)
	dotenvMeta = regexp.MustCompile(`(?m)^sops_mac=`)
	iniMeta    = regexp.MustCompile(`(?m)^\[sops\]\s*$`)
)

// formatOf returns the SOPS format of data, the file at path, and whether
// it is SOPS-encrypted at all. The extension decides the format as it does
// for the sops CLI; a file whose extension says nothing (prod.kubeconfig.enc)
// is recognised by its content. The checks are cheap for the files most
// builds read, which do not mention sops.
func formatOf(path string, data []byte) (formats.Format, bool) {
	if !bytes.Contains(data, []byte("sops")) {
		return 0, false
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return formats.Yaml, yamlEncrypted(data)
	case ".json":
		f, ok := jsonEncrypted(data)
		if f == formats.Binary {
			f = formats.Json // sops reads a .json file with its JSON store
		}
		return f, ok
	case ".env":
		return formats.Dotenv, dotenvMeta.Match(data)
	case ".ini":
		return formats.Ini, iniMeta.Match(data)
	}
	if f, ok := jsonEncrypted(data); ok {
		return f, true
	}
	switch {
	case yamlEncrypted(data):
		return formats.Yaml, true
	case dotenvMeta.Match(data):
		return formats.Dotenv, true
	case iniMeta.Match(data):
		return formats.Ini, true
	}
	return 0, false
}

// jsonEncrypted reports whether data is a JSON object with SOPS metadata;
// the format is Binary when its only other key is "data", as sops writes a
// file it encrypted whole.
func jsonEncrypted(data []byte) (formats.Format, bool) {
	if !jsonMeta.Match(data) {
		return 0, false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || !hasMAC(top["sops"]) {
		return 0, false
	}
	if _, ok := top["data"]; ok && len(top) == 2 {
		return formats.Binary, true
	}
	return formats.Json, true
}

func hasMAC(raw json.RawMessage) bool {
	var meta map[string]json.RawMessage
	if json.Unmarshal(raw, &meta) != nil {
		return false
	}
	_, ok := meta["mac"]
	return ok
}

// yamlEncrypted reports whether a document of data has a top-level sops
// mapping with a mac, as sops's YAML store writes it.
func yamlEncrypted(data []byte) bool {
	if !yamlMeta.Match(data) {
		return false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc struct {
			Sops map[string]any `yaml:"sops"`
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			// Not YAML sops could have written; a line that only looks
			// like sops metadata stays plain.
			return false
		}
		if _, ok := doc.Sops["mac"]; ok {
			return true
		}
	}
}
