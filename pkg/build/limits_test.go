package build

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/types"
)

// aliasBomb is a ConfigMap of 9 levels of 9 aliases each: about 400 bytes
// that kustomize would expand to 387 million values.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n")
	b.WriteString("  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < levels; i++ {
		prev := "*l" + string(rune('0'+i-1))
		b.WriteString("  l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 8) + prev + "]\n")
	}
	return b.String()
}

func TestAliasExpansion(t *testing.T) {
	const limit = 1 << 20
	tests := []struct {
		name string
		yaml string
		want int64 // -1: over the limit
	}{
		{"no aliases", "a: b\nc: [d, e]\n", 0},
		{"an anchor, no alias", "a: &x b\n", 0},
		{"a star in a value, not an alias", "a: '*x'\nb: \"&y\"\n", 0},
		{"one scalar alias", "a: &x hello\nb: *x\n", 5},
		{"an alias of a map", "a: &x {k: v}\nb: *x\n", 2*NodeCost + 2},
		{"a merge key", "base: &b {k: v}\nother:\n  <<: *b\n  z: w\n", 2*NodeCost + 2},
		// [x] is A = 2 nodes + 1 byte; b adds 2A-2 nodes, c adds 2(1 node + 2A) - 2 nodes.
		{"nested anchors", "a: &a [x]\nb: &b [*a, *a]\nc: [*b, *b]\n", 6*(2*NodeCost+1) - 2*NodeCost},
		{"documents apart", "a: &x hello\nb: *x\n---\nc: &y world\nd: *y\n", 10},
		{"windows line ends", "a: &x hello\r\nb: *x\r\n", 5},
		{"the bomb", aliasBomb(9), -1},
		// l0 is L = 10 nodes + 27 bytes; l1 adds 9L-9 nodes, l2 9(1 node + 9L)-9 nodes.
		{"three levels", aliasBomb(3), 90*(10*NodeCost+27) - 9*NodeCost},
		{"an alias inside its own anchor", "a: &a [x, *a]\n", -1},
		{"not YAML", "a: &x [b\nc: *x\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AliasExpansion([]byte(tt.yaml), limit)
			if tt.want == -1 {
				if got <= limit {
					t.Fatalf("AliasExpansion = %d, want more than the limit %d", got, limit)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("AliasExpansion = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBuildRefusesHostileFiles(t *testing.T) {
	big := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: " + strings.Repeat("x", 2<<10) + "\n"
	small := Limits{MaxFileSize: 1 << 10, MaxAliasExpansion: 1 << 10, MaxBuildSize: 3 << 10}
	cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" }
	tests := []struct {
		name    string
		files   map[string]string
		limits  Limits
		path    string // the file the error must name
		what    string
		message string
	}{
		{"alias bomb", map[string]string{"kustomization.yaml": "resources: [bomb.yaml]\n", "bomb.yaml": aliasBomb(9)},
			Limits{}, "bomb.yaml", "alias expansion", "its YAML aliases expand to more than 16Mi"},
		{"alias bomb in the kustomization", map[string]string{"kustomization.yaml": "resources: [cm.yaml]\n" + strings.Replace(aliasBomb(9), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n", "configurations:\n", 1), "cm.yaml": cm("a")},
			Limits{}, "kustomization.yaml", "alias expansion", "raise limits.maxAliasExpansion in kship.yaml"},
		{"alias bomb in a patch", map[string]string{"kustomization.yaml": "resources: [cm.yaml]\npatches: [{path: patch.txt}]\n", "cm.yaml": cm("lol"), "patch.txt": aliasBomb(9)},
			Limits{}, "patch.txt", "alias expansion", "aliases expand"},
		{"file too large", map[string]string{"kustomization.yaml": "resources: [big.yaml]\n", "big.yaml": big},
			small, "big.yaml", "size", "2.1 KiB is more than the 1Ki a file may have: split the file, or raise limits.maxFileSize in kship.yaml"},
		{"build too large", map[string]string{"kustomization.yaml": "resources: [a.yaml, b.yaml, c.yaml, d.yaml]\n",
			"a.yaml": cm("a") + "data: {x: " + strings.Repeat("a", 900) + "}\n", "b.yaml": cm("b") + "data: {x: " + strings.Repeat("b", 900) + "}\n",
			"c.yaml": cm("c") + "data: {x: " + strings.Repeat("c", 900) + "}\n", "d.yaml": cm("d") + "data: {x: " + strings.Repeat("d", 900) + "}\n"},
			small, "", "build size", "takes the build past 3Ki in all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			_, err := Build(dir, Options{Limits: tt.limits})
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *LimitError", err)
			}
			if le.What != tt.what || tt.path != "" && le.Path != filepath.Join(dir, tt.path) {
				t.Errorf("refused %s for %s, want %s for %s", le.What, le.Path, tt.what, tt.path)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("err = %v, want it to say %q", err, tt.message)
			}
		})
	}
}

func TestBuildRefusesDevices(t *testing.T) {
	dir := writeTree(t, map[string]string{"kustomization.yaml": "resources: [zero.yaml]\n"})
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	_, err := Build(dir, Options{LoadRestrictor: types.LoadRestrictionsNone})
	var le *LimitError
	if !errors.As(err, &le) || le.What != "not a regular file" {
		t.Fatalf("err = %v, want a refusal of a device", err)
	}
}

// TestLimitsLetRealTreesThrough builds, under the default limits, a
// 12 MB bundle whose descriptions are full of '*' and '&' (as CRD bundles
// are), and a Deployment that uses anchors, aliases and a merge key as
// people do.
func TestLimitsLetRealTreesThrough(t *testing.T) {
	var bundle strings.Builder
	line := "    Matches * of the selected pods, && keeps them. " + strings.Repeat("lorem ipsum ", 20) + "\n"
	for i := 0; bundle.Len() < 12<<20; i++ {
		bundle.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c" + strconv.Itoa(i) + "\ndata:\n  description: |\n")
		bundle.WriteString(strings.Repeat(line, 1000))
	}
	anchors := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: &labels {app: api}}\n" +
		"  template:\n    metadata: {labels: *labels}\n    spec:\n      containers:\n      - &c {name: api, image: api:1, env: &env [{name: A, value: a}, {name: B, value: b}]}\n" +
		"      - {<<: *c, name: sidecar, env: *env}\n"
	for name, files := range map[string]map[string]string{
		"a 12 MB bundle": {"kustomization.yaml": "resources: [bundle.yaml]\n", "bundle.yaml": bundle.String()},
		"anchors":        {"kustomization.yaml": "resources: [deployment.yaml]\n", "deployment.yaml": anchors},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Build(writeTree(t, files), Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestBudgetReadAll refuses an endless input after reading one byte past
// the limit, and counts what it accepts towards the total.
func TestBudgetReadAll(t *testing.T) {
	b := NewBudget(Limits{MaxFileSize: 1 << 10, MaxBuildSize: 1500})
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer zero.Close()
	var le *LimitError
	if _, err := b.ReadAll("stdin", zero); !errors.As(err, &le) || le.What != "size" || !strings.Contains(err.Error(), "stdin: it is more than the 1Ki a file may have") {
		t.Fatalf("endless input: %v", err)
	}
	if _, err := b.ReadAll("a", strings.NewReader(strings.Repeat("a", 1000))); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ReadAll("b", strings.NewReader(strings.Repeat("b", 1000))); !errors.As(err, &le) || le.What != "build size" {
		t.Fatalf("past the total: %v", err)
	}
}

// TestRemoteBaseGoesThroughLimits builds an overlay whose base is a git
// URL: kustomize clones it into a temporary directory and reads it through
// the same checks.
func TestRemoteBaseGoesThroughLimits(t *testing.T) {
	remote := writeTree(t, map[string]string{"app/kustomization.yaml": "resources: [bomb.yaml]\n", "app/bomb.yaml": aliasBomb(9)})
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "bomb"}} {
		cmd := exec.Command("git", append([]string{"-C", remote, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	dir := writeTree(t, map[string]string{"kustomization.yaml": "resources: [\"file://" + remote + "//app?ref=main\"]\n"})
	_, err := Build(dir, Options{})
	var le *LimitError
	if !errors.As(err, &le) || le.What != "alias expansion" || filepath.Base(le.Path) != "bomb.yaml" {
		t.Fatalf("err = %v, want the remote base's bomb.yaml refused", err)
	}
}
