package build

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseImage(t *testing.T) {
	tests := []struct {
		arg     string
		want    Image
		wantErr string
	}{
		{arg: "api=registry.example/api:abc", want: Image{Name: "api", NewName: "registry.example/api", NewTag: "abc"}},
		{arg: "api=registry.example:5000/api:abc", want: Image{Name: "api", NewName: "registry.example:5000/api", NewTag: "abc"}},
		{arg: "api=r/api@sha256:0123", want: Image{Name: "api", NewName: "r/api", Digest: "sha256:0123"}},
		{arg: "api:v2", want: Image{Name: "api", NewTag: "v2"}},
		{arg: "api@sha256:0123", want: Image{Name: "api", Digest: "sha256:0123"}},
		{arg: "api=r/api", want: Image{Name: "api", NewName: "r/api"}},
		{arg: "api=*:v3", want: Image{Name: "api", NewName: "*", NewTag: "v3"}},
		{arg: "api", wantErr: "want NAME=NEWNAME:TAG"},
		{arg: "=r/api:v1", wantErr: "name before '=' is empty"},
		{arg: "api=r/api:v/1", wantErr: "may hold only"},
		{arg: "api=r/api:bad+tag", wantErr: "may hold only"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := ParseImage(tt.arg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
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
