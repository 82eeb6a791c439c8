package build

import (
	"strings"
	"testing"
	"unicode"

	"github.com/distribution/reference"
	"github.com/google/go-cmp/cmp"
	"github.com/opencontainers/go-digest"
)

// FuzzParseImage: ParseImage never panics, gives the same answer twice, and
// every override it accepts is made of parts that are valid by the
// reference grammar (or "*" where * keeps a value), sets something, and
// reads back the same once written out again. Seeds are in
// testdata/fuzz/FuzzParseImage.
func FuzzParseImage(f *testing.F) {
	f.Fuzz(func(t *testing.T, arg string) {
		img, err := ParseImage(arg)
		again, err2 := ParseImage(arg)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() || img != again {
			t.Fatalf("ParseImage(%q) is not deterministic: (%+v, %v) then (%+v, %v)", arg, img, err, again, err2)
		}
		if err != nil {
			if img != (Image{}) {
				t.Fatalf("ParseImage(%q) failed but returned %+v", arg, img)
			}
			if !strings.HasPrefix(err.Error(), "--image ") {
				t.Fatalf("error %q does not name the flag", err)
			}
			return
		}
		if strings.IndexFunc(arg, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			t.Fatalf("ParseImage(%q) accepted whitespace or a control character", arg)
		}
		if _, err := reference.WithName(img.Name); err != nil {
			t.Fatalf("ParseImage(%q): Name %q: %v", arg, img.Name, err)
		}
		if img.NewName != "" && img.NewName != keep {
			if _, err := reference.WithName(img.NewName); err != nil {
				t.Fatalf("ParseImage(%q): NewName %q: %v", arg, img.NewName, err)
			}
		}
		if img.NewTag != "" && img.NewTag != keep {
			if _, err := reference.WithTag(placeholderName, img.NewTag); err != nil {
				t.Fatalf("ParseImage(%q): NewTag %q: %v", arg, img.NewTag, err)
			}
		}
		if img.Digest != "" && img.Digest != keep {
			if _, err := digest.Parse(img.Digest); err != nil {
				t.Fatalf("ParseImage(%q): Digest %q: %v", arg, img.Digest, err)
			}
		}
		if img.NewName == "" && img.NewTag == "" && img.Digest == "" {
			t.Fatalf("ParseImage(%q) = %+v sets nothing", arg, img)
		}
		if img.TagSuffix != "" {
			t.Fatalf("ParseImage(%q) set TagSuffix %q", arg, img.TagSuffix)
		}
		back, err := ParseImage(FormatImage(img))
		if err != nil {
			t.Fatalf("ParseImage(FormatImage(%+v)) = %v", img, err)
		}
		if d := cmp.Diff(img, back); d != "" {
			t.Fatalf("%q does not read back from %q (-first +again):\n%s", arg, FormatImage(img), d)
		}
	})
}
