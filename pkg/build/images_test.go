package build

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	sha256Hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	sha512Hex = "ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff"
)

func TestParseImageAccepts(t *testing.T) {
	tests := []struct {
		arg  string
		want Image
	}{
		{"api=registry.example/api:abc", Image{Name: "api", NewName: "registry.example/api", NewTag: "abc"}},
		{"api=registry.example:5000/api:abc", Image{Name: "api", NewName: "registry.example:5000/api", NewTag: "abc"}},
		{"api=localhost:5000/team/api@sha256:" + sha256Hex, Image{Name: "api", NewName: "localhost:5000/team/api", Digest: "sha256:" + sha256Hex}},
		{"api=r/api:1.2@sha512:" + sha512Hex, Image{Name: "api", NewName: "r/api", NewTag: "1.2", Digest: "sha512:" + sha512Hex}},
		{"api:v2", Image{Name: "api", NewTag: "v2"}},
		{"api:v2@sha256:" + sha256Hex, Image{Name: "api", NewTag: "v2", Digest: "sha256:" + sha256Hex}},
		{"api@sha256:" + sha256Hex, Image{Name: "api", Digest: "sha256:" + sha256Hex}},
		{"registry.example:5000/shop/api:1.0", Image{Name: "registry.example:5000/shop/api", NewTag: "1.0"}},
		{"registry.example:5000/shop/api=registry.example/api:1.0", Image{Name: "registry.example:5000/shop/api", NewName: "registry.example/api", NewTag: "1.0"}},
		{"api=r/api", Image{Name: "api", NewName: "r/api"}},
		{"api=*:v3", Image{Name: "api", NewName: "*", NewTag: "v3"}},
		{"api=*@sha256:" + sha256Hex, Image{Name: "api", NewName: "*", Digest: "sha256:" + sha256Hex}},
		{"api=r/api:*", Image{Name: "api", NewName: "r/api", NewTag: "*"}},
		{"api=*", Image{Name: "api", NewName: "*"}},
		{"my_org/api-server.v2:1.0_rc-1", Image{Name: "my_org/api-server.v2", NewTag: "1.0_rc-1"}},
		{"Registry.Example/api:1", Image{Name: "Registry.Example/api", NewTag: "1"}}, // a host name is case-insensitive
		{"api:" + strings.Repeat("t", 128), Image{Name: "api", NewTag: strings.Repeat("t", 128)}},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := ParseImage(tt.arg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseImageRefuses(t *testing.T) {
	tests := []struct {
		name, arg string
		wantErr   string
	}{
		{"empty", "", "empty"},
		{"name alone", "api", `"api" alone changes nothing`},
		{"empty name", "=r/api:v1", "name before '=' is empty"},
		{"only =", "=", "name before '=' is empty"},
		{"empty right side", "api=", "nothing after '='"},
		{"star name", "*=r/api:1", "cannot be *"},
		{"star alone", "*:1", "cannot be *"},
		{"trailing newline", "api=r/api:v1\n", `'\n' at byte 12`},
		{"leading space", " api=r/api:v1", "' ' at byte 0"},
		{"space inside", "api=r/api: v1", "whitespace"},
		{"tab", "api\t=r/api:v1", "whitespace"},
		{"carriage return", "api=r/api:v1\r", `'\r'`},
		{"no-break space", "api=r/api:v1\u00a0", "whitespace"},
		{"NUL", "api=r/api:v1\x00", "control"},
		{"upper-case new name", "api=registry.example/Shop/api:v1", `repository name "registry.example/Shop/api" must be lower-case`},
		{"upper-case name", "API:v1", `repository name "API" must be lower-case`},
		{"slash in tag", "api=r/api:v/1", `not an image name`},
		{"plus in tag", "api=r/api:bad+tag", `tag "bad+tag"`},
		{"tag starting with dot", "api=r/api:.v1", `tag ".v1"`},
		{"tag too long", "api:" + strings.Repeat("t", 129), "up to 128"},
		{"colon, no tag", "api=r/api:", "':' with no tag"},
		{"at, no digest", "api=r/api@", "'@' with no digest"},
		{"at, no digest, tag", "api:v1@", "'@' with no digest"},
		{"short digest", "api=r/api@sha256:0123", "sha256 takes 64 hex digits, not 4"},
		{"long digest", "api@sha256:" + sha256Hex + "00", "not 66"},
		{"upper-case hex", "api@sha256:" + strings.ToUpper(sha256Hex), "lower case"},
		{"digest without algorithm", "api@" + sha256Hex, "ALGORITHM:HEX"},
		{"unknown algorithm", "api@md5:d41d8cd98f00b204e9800998ecf8427e", `unsupported algorithm "md5"`},
		{"tag in NAME", "api:v1=r/api:v2", "has a tag or digest"},
		{"two equals", "api=r/api=x:1", "not an image name"},
		{"double slash", "api=r//api:1", "not an image name"},
		{"trailing slash", "api=r/api/:1", "not an image name"},
		{"port without host path", "api=:5000/api:1", "not an image name"},
		{"star digest without =", "api@*", "ALGORITHM:HEX"},
		{"name too long", "api=r/" + strings.Repeat("a", 300) + ":1", "255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseImage(tt.arg)
			if err == nil {
				t.Fatalf("ParseImage(%q) = %+v, want an error containing %q", tt.arg, got, tt.wantErr)
			}
			msg := err.Error()
			for _, want := range []string{tt.wantErr, "want NAME=NEWNAME[:TAG][@DIGEST]"} {
				if !strings.Contains(msg, want) {
					t.Errorf("err = %q\nwant it to contain %q", msg, want)
				}
			}
			if !strings.HasPrefix(msg, "--image ") {
				t.Errorf("err = %q, want it to name the flag first", msg)
			}
		})
	}
}

func TestMergeImages(t *testing.T) {
	current := []Image{
		{Name: "worker", NewTag: "1"},
		{Name: "api", NewName: "registry.example/api", NewTag: "1.0"},
	}
	tests := []struct {
		name      string
		overrides []Image
		want      []Image
	}{
		{
			name:      "replaces the whole entry, as kustomize edit set image does",
			overrides: []Image{{Name: "api", NewTag: "2.0"}},
			want:      []Image{{Name: "api", NewTag: "2.0"}, {Name: "worker", NewTag: "1"}},
		},
		{
			name:      "star keeps the current value",
			overrides: []Image{{Name: "api", NewName: "*", NewTag: "2.0"}},
			want:      []Image{{Name: "api", NewName: "registry.example/api", NewTag: "2.0"}, {Name: "worker", NewTag: "1"}},
		},
		{
			name:      "adds a new entry, sorted by name",
			overrides: []Image{{Name: "cron", NewName: "r/cron", NewTag: "*"}},
			want:      []Image{{Name: "api", NewName: "registry.example/api", NewTag: "1.0"}, {Name: "cron", NewName: "r/cron"}, {Name: "worker", NewTag: "1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, mergeImages(current, tt.overrides)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
