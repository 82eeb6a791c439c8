package kustomizecli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	long := strings.Repeat("x", 150) + "é" + strings.Repeat("y", 100)
	tests := []struct {
		name      string
		want, got string
		diff      string
	}{
		{name: "equal", want: "a\nb\n", got: "a\nb\n", diff: ""},
		{name: "both empty", want: "", got: "", diff: ""},
		{
			name: "changed line keeps three lines of context",
			want: "l1\nl2\nl3\nl4\nreplicas: 3\nl6\n",
			got:  "l1\nl2\nl3\nl4\nreplicas: 2\nl6\n",
			diff: "first difference at line 5, byte 11 of the line (want 6 lines, 27 bytes; got 6 lines, 27 bytes)\n" +
				"       2  l2\n" +
				"       3  l3\n" +
				"       4  l4\n" +
				"-      5  replicas: 3\n" +
				"-      6  l6\n" +
				"+      5  replicas: 2\n" +
				"+      6  l6",
		},
		{
			name: "got has an extra document",
			want: "a: 1\n",
			got:  "a: 1\n---\nb: 2\n",
			diff: "first difference at line 2 (want 1 lines, 5 bytes; got 3 lines, 14 bytes)\n" +
				"       1  a: 1\n" +
				"-         <end of output>\n" +
				"+      2  ---\n" +
				"+      3  b: 2",
		},
		{
			name: "missing final newline",
			want: "a\n",
			got:  "a",
			diff: "first difference at line 1, byte 2 of the line (want 1 lines, 2 bytes; got 1 lines, 1 bytes)\n" +
				"-      1  a\n" +
				"+      1  a <no newline at end>",
		},
		{
			name: "carriage return and tab are visible",
			want: "k: v\n",
			got:  "k: v\r\n\tx\n",
			diff: "first difference at line 1, byte 5 of the line (want 1 lines, 5 bytes; got 2 lines, 9 bytes)\n" +
				"-      1  k: v\n" +
				"+      1  k: v\\r\n" +
				"+      2  \\tx",
		},
		{
			name: "long line is cut on a rune boundary",
			want: long + "\n",
			got:  "short\n",
			diff: "first difference at line 1, byte 1 of the line (want 1 lines, 253 bytes; got 1 lines, 6 bytes)\n" +
				"-      1  " + strings.Repeat("x", 150) + "é" + strings.Repeat("y", 8) + "…(252 bytes)\n" +
				"+      1  short",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff([]byte(tt.want), []byte(tt.got))
			if d := cmp.Diff(tt.diff, got); d != "" {
				t.Errorf("Diff() mismatch (-want +got):\n%s", d)
			}
		})
	}
}
