package diff

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// secretPair builds the two sides of a Secret whose value under key goes
// from old to new. shape picks how the values are held: in data (base64)
// or stringData maps as the API has them, or, as a broken tree may have
// them, as a bare string or a list; renamed gives the sides different
// generated names, so the diff pairs them as one renamed Secret. other is
// text elsewhere in the object, which the value may be part of.
func secretPair(key, other string, old, new []byte, shape uint8, renamed bool) Pair {
	side := func(name string, v []byte) *unstructured.Unstructured {
		enc := base64.StdEncoding.EncodeToString(v)
		var data, stringData any
		switch shape % 4 {
		case 0:
			data = map[string]any{key: enc, "other": base64.StdEncoding.EncodeToString([]byte(other))}
		case 1:
			stringData = map[string]any{key: string(v), key + "-copy": string(v)}
		case 2:
			data = enc
		case 3:
			stringData = []any{string(v), other}
		}
		obj := map[string]any{
			"apiVersion": "v1", "kind": "Secret",
			"metadata": map[string]any{"name": name, "namespace": "shop", "annotations": map[string]any{"note": other, key: other}},
			"type":     "Opaque",
		}
		if data != nil {
			obj["data"] = data
		}
		if stringData != nil {
			obj["stringData"] = stringData
		}
		return &unstructured.Unstructured{Object: obj}
	}
	if renamed {
		return Pair{Before: side("creds-5m2c4bbt6k", old)}
	}
	return Pair{Before: side("creds", old), After: side("creds", new)}
}

// renders computes the diff of the pair and renders it in every format;
// an object YAML cannot render gives the error's text instead, which must
// not show a value either.
func renders(t *testing.T, key, other string, old, new []byte, shape uint8, renamed bool) string {
	t.Helper()
	p := secretPair(key, other, old, new, shape, renamed)
	pairs := []Pair{p}
	if renamed {
		after := secretPair(key, other, new, new, shape, false).After
		after.SetName("creds-h8fk6f7dm9")
		pairs = append(pairs, Pair{After: after})
	}
	plan, err := Compute(Input{Env: "fuzz", Pairs: pairs}, Options{From: "a", To: "b"})
	if err != nil {
		return "error: " + err.Error()
	}
	rep := &Report{From: "a", To: "b", Plans: []*Plan{plan}}
	var out bytes.Buffer
	for _, render := range []func() error{
		func() error { return Text(&out, rep, TextOptions{}) },
		func() error { return Text(&out, rep, TextOptions{Color: true}) },
		func() error { return Markdown(&out, rep) },
		func() error { return JSON(&out, rep) },
	} {
		if err := render(); err != nil {
			t.Fatal(err)
		}
	}
	return out.String()
}

// standIn returns a value of v's length that no input holds: the output
// for it shows what the output shows of v's length and nothing of its
// content.
func standIn(v []byte, mark byte) []byte {
	out := make([]byte, len(v))
	for i := range out {
		out[i] = mark
	}
	return out
}

// FuzzSecretMasking requires the masked diff of a Secret, in text,
// Markdown and JSON, to be the same whatever its values are, for values of
// the same sizes that change (or not) alike: then it cannot show any of
// them, whether a value is a substring of a key, of the annotation text
// beside it or of the output's own words.
func FuzzSecretMasking(f *testing.F) {
	f.Add("password", "note", []byte("hunter22"), []byte("hunter23"), uint8(0), false)
	f.Add("password", "password", []byte("pass"), []byte("pass"), uint8(1), false)
	f.Add("a", "bytes changed", []byte("bytes"), []byte("changed"), uint8(2), false)
	f.Add("token", "", []byte("***"), []byte("(3 bytes)"), uint8(3), true)
	f.Add("k", "Secret", []byte("Secret"), []byte("shop"), uint8(0), true)
	f.Fuzz(func(t *testing.T, key, other string, old, new []byte, shape uint8, renamed bool) {
		if key == "" || key == "other" || key == "note" {
			return // keys the pair itself uses
		}
		got := renders(t, key, other, old, new, shape, renamed)
		oldStand, newStand := standIn(old, 0x01), standIn(new, 0x01)
		if !bytes.Equal(old, new) && len(old) == len(new) {
			newStand = standIn(new, 0x02)
		}
		want := renders(t, key, other, oldStand, newStand, shape, renamed)
		if got != want {
			t.Fatalf("the masked output depends on the Secret's values (-stand-ins +values):\n%s", cmp.Diff(want, got))
		}
	})
}
