package secrets

import (
	"fmt"
	"strings"

	"github.com/getsops/sops/v3"
)

// encPrefix starts every value sops encrypted.
const encPrefix = "ENC[AES256_GCM,"

func isEncrypted(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, encPrefix)
}

// walk calls f on every scalar value under v, in a fixed order, and puts
// what f returns in its place. Comments are left alone.
func walk(v any, f func(any) any) any {
	switch v := v.(type) {
	case sops.TreeBranches:
		for i := range v {
			walk(v[i], f)
		}
	case sops.TreeBranch:
		for i := range v {
			if _, comment := v[i].Key.(sops.Comment); comment {
				continue
			}
			v[i].Value = walk(v[i].Value, f)
		}
	case []any:
		for i := range v {
			v[i] = walk(v[i], f)
		}
	case sops.Comment:
	default:
		return f(v)
	}
	return v
}

// encryptedLeaves says, for each scalar of branches in walk's order,
// whether it is encrypted and secret: in a Kubernetes manifest encrypted
// whole, its apiVersion, kind, type, immutable and metadata's name,
// namespace and labels are encrypted too but are no secret (the cluster shows them to anyone who may list the
// object), and taking them for one would make every error that names the
// namespace or says "Secret" look as if it quoted a secret.
func encryptedLeaves(b sops.TreeBranches) []bool {
	var enc []bool
	mark := func(identity bool) func(any) any {
		return func(v any) any {
			enc = append(enc, isEncrypted(v) && !identity)
			return v
		}
	}
	for _, branch := range b {
		manifest := isManifest(branch)
		for _, item := range branch {
			if _, comment := item.Key.(sops.Comment); comment {
				continue
			}
			key, _ := item.Key.(string)
			meta, isMeta := item.Value.(sops.TreeBranch)
			switch {
			case manifest && key == "metadata" && isMeta:
				// Its name, namespace and labels; annotations can hold
				// credentials (an ingress's auth snippet).
				for _, m := range meta {
					if _, comment := m.Key.(sops.Comment); comment {
						continue
					}
					k, _ := m.Key.(string)
					walk(m.Value, mark(identityMetadata[k]))
				}
			default:
				walk(item.Value, mark(manifest && identityKeys[key]))
			}
		}
	}
	return enc
}

// identityKeys are a manifest's top-level fields that say what the object
// is rather than hold its data; identityMetadata, those of its metadata.
var (
	identityKeys     = map[string]bool{"apiVersion": true, "kind": true, "type": true, "immutable": true}
	identityMetadata = map[string]bool{"name": true, "namespace": true, "generateName": true, "labels": true}
)

// isManifest reports whether branch is a Kubernetes object: it has a
// top-level apiVersion and kind.
func isManifest(branch sops.TreeBranch) bool {
	var api, kind bool
	for _, item := range branch {
		switch item.Key {
		case "apiVersion":
			api = true
		case "kind":
			kind = true
		}
	}
	return api && kind
}

// leafValues returns the scalars of branches that encrypted marks (see
// encryptedLeaves), as text, once branches are decrypted.
func leafValues(b sops.TreeBranches, encrypted []bool) []string {
	var out []string
	i := 0
	walk(b, func(v any) any {
		if i < len(encrypted) && encrypted[i] && v != nil {
			out = append(out, fmt.Sprint(v))
		}
		i++
		return v
	})
	return out
}

// mask replaces every encrypted scalar and comment of branches by
// Placeholder.
func mask(b sops.TreeBranches) {
	walk(b, func(v any) any {
		if isEncrypted(v) {
			return Placeholder
		}
		return v
	})
	for _, branch := range b {
		maskComments(branch)
	}
}

func maskComments(v any) {
	switch v := v.(type) {
	case sops.TreeBranch:
		for i := range v {
			if c, ok := v[i].Key.(sops.Comment); ok && isEncrypted(c.Value) {
				v[i].Key = sops.Comment{Value: " " + Placeholder, Inline: c.Inline}
			}
			maskComments(v[i].Value)
		}
	case []any:
		for i := range v {
			if c, ok := v[i].(sops.Comment); ok && isEncrypted(c.Value) {
				v[i] = sops.Comment{Value: " " + Placeholder, Inline: c.Inline}
				continue
			}
			maskComments(v[i])
		}
	}
}
