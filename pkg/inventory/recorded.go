package inventory

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"sort"

	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// dataMembers is the parent's data key that lists the members, gzip'd JSON.
const dataMembers = "members.json.gz"

type recordedMember struct {
	object.Ref
	Recorded
}

func recordOf(o *unstructured.Unstructured) Recorded {
	var r Recorded
	if o.GetKind() == "Job" && o.GroupVersionKind().Group == "batch" {
		_, r.Ephemeral, _ = unstructured.NestedFieldNoCopy(o.Object, "spec", "ttlSecondsAfterFinished")
	}
	return r
}

func encodeMembers(m map[object.Ref]Recorded) ([]byte, error) {
	list := make([]recordedMember, 0, len(m))
	for r, rec := range m {
		list = append(list, recordedMember{r, rec})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Ref.String() < list[j].Ref.String() })
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(list); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeMembers(data []byte) (map[object.Ref]Recorded, error) {
	out := map[object.Ref]Recorded{}
	if len(data) == 0 {
		return out, nil // written by a kship that did not record members
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, err
	}
	var list []recordedMember
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	for _, m := range list {
		out[m.Ref] = m.Recorded
	}
	return out, nil
}
