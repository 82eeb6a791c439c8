package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

// The API server's size limits on one object, at their defaults.
const (
	// maxRequestBytes is the most a write request's body may have
	// (kube-apiserver --max-request-bytes, 3 MiB). kship sends an object
	// as JSON.
	maxRequestBytes = 3 << 20
	// maxStoredBytes is the most one value may have in etcd (etcd
	// --max-request-bytes, 1.5 MiB). Built-in kinds are stored as
	// protobuf, custom resources as JSON.
	maxStoredBytes = 3 << 19
	// protoOverJSON bounds how much larger than its JSON an object's
	// protobuf can be, so that objects whose JSON could not reach the etcd
	// limit are not encoded at all. Protobuf also writes fields JSON
	// leaves out (zero numbers, empty strings), hence the margin.
	protoOverJSON = 4
)

// checkSize reports an object that the API server would refuse for its
// size: its JSON over the request limit, or its stored form over etcd's.
// The managedFields the server adds are not counted, so an object within
// a few percent of a limit may still be refused.
func (c *checker) checkSize(f *findings, o *manifest) {
	if jsonUpperBound(o.m) <= maxStoredBytes/protoOverJSON {
		return // most objects: far too small to matter, and not encoded
	}
	body, err := o.u.MarshalJSON()
	if err != nil {
		return
	}
	if len(body) > maxRequestBytes {
		f.add(o, "", RuleObjectSize, "the object is %s as JSON, more than the %s the API server accepts in one request: split it, or move the bulk into a volume or an image", humanSize(len(body)), humanSize(maxRequestBytes))
		return
	}
	stored, how := c.storedSize(o, body)
	if stored > maxStoredBytes {
		f.add(o, "", RuleObjectSize, "the object takes %s in etcd (%s), more than the %s etcd stores in one value: split it, or move the bulk into a volume or an image", humanSize(stored), how, humanSize(maxStoredBytes))
	}
}

// storedSize is how large o is in etcd: its protobuf encoding for a
// built-in kind (with the envelope the API server wraps it in), its JSON
// otherwise. It returns -1 for kinds stored as protobuf that kship cannot
// encode (CRDs), which only the request limit then checks.
func (c *checker) storedSize(o *manifest, body []byte) (int, string) {
	gvk := schema.FromAPIVersionAndKind(o.apiVersion, o.ref.Kind)
	if gvk.Group == "apiextensions.k8s.io" || gvk.Group == "apiregistration.k8s.io" {
		return -1, ""
	}
	typed, err := clientgoscheme.Scheme.New(gvk)
	if err != nil {
		return len(body), "as JSON, as custom resources are stored"
	}
	sized, ok := typed.(interface{ Size() int })
	if !ok || runtime.DefaultUnstructuredConverter.FromUnstructured(o.m, typed) != nil {
		return len(body), "as JSON"
	}
	// The envelope: a 4-byte magic number, then runtime.Unknown with the
	// apiVersion and kind around the object's bytes.
	envelope := 4 + 16 + len(o.apiVersion) + len(o.ref.Kind)
	return sized.Size() + envelope, "as protobuf, as built-in kinds are stored"
}

// jsonUpperBound is at least the length of v's JSON encoding, computed
// without encoding it: every character escaped, every number at its
// longest.
func jsonUpperBound(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := 2
		for k, e := range v {
			n += 6*len(k) + 4 + jsonUpperBound(e)
		}
		return n
	case []any:
		n := 2
		for _, e := range v {
			n += 1 + jsonUpperBound(e)
		}
		return n
	case string:
		return 6*len(v) + 2
	}
	return 24 // numbers, booleans, null
}

// humanSize renders n bytes: "512 bytes", "1.5 MiB".
func humanSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
