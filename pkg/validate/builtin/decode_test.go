package builtin_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kship/kship/pkg/validate"
	"github.com/kship/kship/pkg/validate/builtin"
	"k8s.io/apimachinery/pkg/api/equality"
)

// TestConversionMatchesTheDecoder converts every built-in object of the
// validation corpus, the oracle's variant bases and the sample app both
// ways: Check's conversion from the unstructured form, and the API
// server's decoder given the JSON kship sends. Both must refuse the same
// objects and make the same internal object of the others.
func TestConversionMatchesTheDecoder(t *testing.T) {
	var files []string
	for _, glob := range []string{"../../../testdata/validate/corpus/*.yaml", "../../../testdata/validate/variants/bases.yaml", "../../../testdata/validate/app/base/*.yaml", "../../../base/*.yaml"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 50 {
		t.Fatalf("found %d corpus files, want the corpus", len(files))
	}
	compared := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := validate.ReadManifests(bytes.NewReader(data), filepath.Base(f))
		if err != nil {
			continue // the corpus holds unreadable YAML on purpose
		}
		for _, u := range objs {
			if !builtin.Known(u.GroupVersionKind()) {
				continue
			}
			compared++
			got, gotErr := builtin.Internal(u)
			want, wantErr := builtin.Decoded(u)
			switch {
			case (gotErr != nil) != (wantErr != nil):
				t.Errorf("%s: %s: conversion error %v, decoder error %v", filepath.Base(f), u.GetName(), gotErr, wantErr)
			case gotErr == nil && !equality.Semantic.DeepEqual(got, want):
				t.Errorf("%s: %s: the conversion and the decoder make different objects", filepath.Base(f), u.GetName())
			}
		}
	}
	if compared < 50 {
		t.Errorf("compared %d built-in objects, want the corpus's", compared)
	}
}
