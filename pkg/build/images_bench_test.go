package build

import (
	"path/filepath"
	"testing"

	"github.com/kship/kship/internal/treegen"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

func filesysOnDisk() filesys.FileSystem { return filesys.MakeFsOnDisk() }

// BenchmarkImageCheck300 builds the 300-service tree (about 1,500 objects)
// without overrides, with one for an entry of the top kustomization (matched
// without looking), with one it has no entry for (checked by marks in the
// same build), and with the check off:
//
//	go test -run '^$' -bench ImageCheck300 -benchtime 5x ./pkg/build
func BenchmarkImageCheck300(b *testing.B) {
	dir := b.TempDir()
	if err := treegen.Services(dir, 300); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		images []string
		allow  bool
	}{
		{"none", nil, false},
		{"top-entry", []string{"app=*:2024.07.0"}, false},
		{"checked", []string{"registry.example/mirror/envoyproxy/envoy:v1.31.0"}, false},
		{"unchecked", []string{"registry.example/mirror/envoyproxy/envoy:v1.31.0"}, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var images []Image
			for _, a := range bc.images {
				img, err := ParseImage(a)
				if err != nil {
					b.Fatal(err)
				}
				images = append(images, img)
			}
			for b.Loop() {
				if _, err := Build(dir, Options{Images: images, AllowUnusedImages: bc.allow}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkImageMarksWalk300 is what the check adds to a build of the
// 300-service tree: finding and removing the marks, and listing the image
// names for the error's hints.
func BenchmarkImageMarksWalk300(b *testing.B) {
	dir := b.TempDir()
	if err := treegen.Services(dir, 300); err != nil {
		b.Fatal(err)
	}
	top, err := readTop(filesysOnDisk(), filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	images := []Image{{Name: "registry.example/mirror/envoyproxy/envoy", NewTag: "v1.31.0"}}
	p, err := newProbe(top, images)
	if err != nil {
		b.Fatal(err)
	}
	m, err := buildImages(filesysOnDisk(), dir, top, p.marked, false, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if s := p.takeMarks(m); len(s.seen) != 1 || s.strayed {
		b.Fatalf("marks: %+v, want one seen, none strayed", s)
	}
	for b.Loop() {
		p.takeMarks(m)
		imageNames(m)
	}
}
