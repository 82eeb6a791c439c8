package build

import (
	// The digest package checks a digest's length only for the algorithms
	// whose hash is linked in.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// imageForms is what every --image error ends with: the forms it takes.
const imageForms = "want NAME=NEWNAME[:TAG][@DIGEST], NAME:TAG or NAME@DIGEST, e.g. api=registry.example/api:1.4.2 (NEWNAME or TAG may be * to keep the overlay's value)"

// ParseImage parses an override as `kustomize edit set image` takes it:
// NAME=NEWNAME[:TAG][@DIGEST], NAME=NEWNAME, NAME:TAG, NAME@DIGEST or
// NAME:TAG@DIGEST, where NEWNAME, TAG and DIGEST may each be "*" to keep the
// value the top kustomization's images entry already has. Names, tags and
// digests must be valid image references (github.com/distribution/reference):
// lower-case repository paths with an optional registry host[:port], tags of
// up to 128 letters, digits, '_', '.' and '-', and digests ALGORITHM:HEX of
// the algorithm's length. NAME is not normalized: kustomize matches it as
// written against the images of the build.
func ParseImage(arg string) (Image, error) {
	img, err := parseImage(arg)
	if err != nil {
		return Image{}, fmt.Errorf("--image %q: %w; %s", arg, err, imageForms)
	}
	return img, nil
}

func parseImage(arg string) (Image, error) {
	if arg == "" {
		return Image{}, errors.New("empty")
	}
	if i := strings.IndexFunc(arg, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(arg[i:])
		return Image{}, fmt.Errorf("%q at byte %d: an image reference has no whitespace or control characters (a stray space or newline in a CI variable?)", r, i)
	}
	key, value, hasKey := strings.Cut(arg, "=")
	if !hasKey {
		name, tag, dgst, err := splitRef(arg, false)
		if err != nil {
			return Image{}, err
		}
		if tag == "" && dgst == "" {
			return Image{}, fmt.Errorf("%q alone changes nothing: give a new name, tag or digest", name)
		}
		return Image{Name: name, NewTag: tag, Digest: dgst}, nil
	}
	if key == "" {
		return Image{}, errors.New("the image name before '=' is empty")
	}
	name, tag, dgst, err := splitRef(key, false)
	if err != nil {
		return Image{}, fmt.Errorf("NAME %q: %w", key, err)
	}
	if tag != "" || dgst != "" {
		return Image{}, fmt.Errorf("NAME %q has a tag or digest: put the image name before '=' and the tag or digest after it", key)
	}
	if value == "" {
		return Image{}, fmt.Errorf("nothing after '=': give the new name, with a tag or digest, e.g. %s=registry.example/%s:1.4.2", key, lastComponent(key))
	}
	newName, tag, dgst, err := splitRef(value, true)
	if err != nil {
		return Image{}, fmt.Errorf("NEWNAME %q: %w", value, err)
	}
	return Image{Name: name, NewName: newName, NewTag: tag, Digest: dgst}, nil
}

// splitRef splits s into a repository name, tag and digest, each checked
// against the reference grammar; with stars, "*" stands for any of them.
func splitRef(s string, stars bool) (name, tag, dgst string, err error) {
	name = s
	if i := strings.LastIndex(name, "@"); i >= 0 {
		name, dgst = name[:i], name[i+1:]
		if dgst == "" {
			return "", "", "", errors.New("'@' with no digest after it")
		}
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
		if tag == "" {
			return "", "", "", errors.New("':' with no tag after it")
		}
	}
	if err := checkName(name, stars); err != nil {
		return "", "", "", err
	}
	if err := checkTag(tag, stars); err != nil {
		return "", "", "", err
	}
	if err := checkDigest(dgst, stars); err != nil {
		return "", "", "", err
	}
	// The parts are each valid; the whole must be one reference too (the
	// grammar also bounds its length).
	if _, err := reference.Parse(joinRef(orPlaceholder(name, "x"), orPlaceholder(tag, "x"), orPlaceholder(dgst, digest.FromString("").String()))); err != nil {
		return "", "", "", err
	}
	return name, tag, dgst, nil
}

func checkName(name string, stars bool) error {
	switch {
	case name == keep && stars:
		return nil
	case name == keep:
		return errors.New("the image name cannot be *: * stands for a value the overlay keeps, after '='")
	case name == "":
		return errors.New("the image name is empty")
	}
	if _, err := reference.WithName(name); err == nil {
		return nil
	} else if errors.Is(err, reference.ErrNameTooLong) {
		return fmt.Errorf("image name %q: %w", name, err)
	}
	if _, err := reference.WithName(strings.ToLower(name)); err == nil {
		return fmt.Errorf("repository name %q must be lower-case", name)
	}
	return fmt.Errorf("%q is not an image name: want [HOST[:PORT]/]PATH, a path of lower-case letters, digits and '.', '_' or '-' separators", name)
}

func checkTag(tag string, stars bool) error {
	if tag == "" || tag == keep && stars {
		return nil
	}
	if _, err := reference.WithTag(placeholderName, tag); err != nil {
		return fmt.Errorf("tag %q: a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'", tag)
	}
	return nil
}

func checkDigest(dgst string, stars bool) error {
	if dgst == "" || dgst == keep && stars {
		return nil
	}
	d, err := digest.Parse(dgst)
	switch {
	case errors.Is(err, digest.ErrDigestUnsupported):
		return fmt.Errorf("digest %q: unsupported algorithm %q: want sha256, sha384 or sha512", dgst, dgst[:strings.Index(dgst, ":")])
	case errors.Is(err, digest.ErrDigestInvalidLength):
		return fmt.Errorf("digest %q: %s takes %d hex digits, not %d", dgst, d.Algorithm(), d.Algorithm().Size()*2, len(d.Encoded()))
	case err != nil:
		return fmt.Errorf("digest %q: want ALGORITHM:HEX in lower case, e.g. sha256: and 64 hex digits", dgst)
	}
	if _, err := reference.WithDigest(placeholderName, d); err != nil {
		return fmt.Errorf("digest %q: %w", dgst, err)
	}
	return nil
}

// placeholderName stands for the name when a tag or digest is checked alone.
var placeholderName, _ = reference.WithName("x")

func orPlaceholder(s, placeholder string) string {
	if s == keep {
		return placeholder
	}
	return s
}

// joinRef writes a name, tag and digest as one reference.
func joinRef(name, tag, dgst string) string {
	if tag != "" {
		name += ":" + tag
	}
	if dgst != "" {
		name += "@" + dgst
	}
	return name
}

func lastComponent(name string) string {
	return name[strings.LastIndex(name, "/")+1:]
}

// FormatImage writes an override back as --image takes it.
func FormatImage(o Image) string {
	if o.NewName != "" {
		return o.Name + "=" + joinRef(o.NewName, o.NewTag, o.Digest)
	}
	return joinRef(o.Name, o.NewTag, o.Digest)
}
