package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const withClusters = `
environments:
  prod:
    overlay: overlays/prod
    namespace: shop
    kubeconfig: kube/prod.yaml
    clusters:
    - {name: tokyo-old, context: prod-1-29}
    - name: tokyo-new
      context: prod-1-33
      clusterID: 5c1f
      kubeconfig: kube/new.enc.yaml
      namespace: shop-new
      images: [api=registry.ap-northeast-1.example/api]
    rollout: parallel
`

func TestParseClusters(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte(withClusters))
	if err != nil {
		t.Fatal(err)
	}
	prod := c.Environments["prod"]
	if !prod.MultiCluster() || prod.Rollout != RolloutParallel {
		t.Fatalf("prod: multi-cluster %v, rollout %q", prod.MultiCluster(), prod.Rollout)
	}
	all, err := prod.ForClusters(nil)
	if err != nil {
		t.Fatal(err)
	}
	type one struct{ Cluster, Context, ClusterID, Kubeconfig, Namespace, Images string }
	var got []one
	for _, e := range all {
		if e.Name != "prod" || e.MultiCluster() || !cmp.Equal(e.Listed, []string{"tokyo-old", "tokyo-new"}) {
			t.Errorf("%s: name %q, clusters %v, listed %v", e.Cluster, e.Name, e.Clusters, e.Listed)
		}
		got = append(got, one{e.Cluster, e.Context, e.ClusterID, e.Kubeconfig, e.Namespace, strings.Join(e.Images, ",")})
	}
	want := []one{
		{"tokyo-old", "prod-1-29", "", "/repo/kube/prod.yaml", "shop", ""},
		{"tokyo-new", "prod-1-33", "5c1f", "/repo/kube/new.enc.yaml", "shop-new", "api=registry.ap-northeast-1.example/api"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	if prod.Context != "" || prod.Clusters[1].Namespace != "shop-new" {
		t.Error("ForClusters changed the environment")
	}

	picked, err := prod.ForClusters([]string{"tokyo-new"})
	if err != nil || len(picked) != 1 || picked[0].Cluster != "tokyo-new" {
		t.Errorf("ForClusters(tokyo-new) = %v, %v", picked, err)
	}
	if again, err := picked[0].ForClusters([]string{"tokyo-new"}); err != nil || again[0] != picked[0] {
		t.Errorf("a cluster's own name: %v, %v", again, err)
	}
	if _, err := prod.ForClusters([]string{"osaka"}); err == nil || !strings.Contains(err.Error(), `no cluster "osaka": its clusters are tokyo-old, tokyo-new`) {
		t.Errorf("unknown cluster: %v", err)
	}
}

func TestForClustersOfOneContext(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte("environments:\n  stage: {overlay: o, context: stage}\n"))
	if err != nil {
		t.Fatal(err)
	}
	stage := c.Environments["stage"]
	if all, err := stage.ForClusters(nil); err != nil || len(all) != 1 || all[0] != stage {
		t.Errorf("ForClusters(nil) = %v, %v; want the environment itself", all, err)
	}
	if _, err := stage.ForClusters([]string{"x"}); err == nil || !strings.Contains(err.Error(), "--cluster applies to environments that list 'clusters'") {
		t.Errorf("--cluster on one context: %v", err)
	}
}

func TestParseClustersErrors(t *testing.T) {
	head := "environments:\n  prod:\n    overlay: o\n"
	tests := []struct{ name, yaml, want string }{
		{"context and clusters", head + "    context: c\n    clusters: [{name: a, context: a}]\n", "has both 'context' and 'clusters'"},
		{"pin beside clusters", head + "    server: https://x\n    clusters: [{name: a, context: a}]\n", "has 'server' and 'clusters'"},
		{"no name", head + "    clusters: [{context: a}]\n", "cluster #1: has no 'name'"},
		{"bad name", head + "    clusters: [{name: Tokyo_1, context: a}]\n", "cluster Tokyo_1: names must be DNS labels"},
		{"no context", head + "    clusters: [{name: a}]\n", "cluster a: has no 'context'"},
		{"twice", head + "    clusters: [{name: a, context: a}, {name: a, context: b}]\n", `cluster "a" is listed twice`},
		{"bad image", head + "    clusters: [{name: a, context: a, images: [\"api=UPPER CASE\"]}]\n", "cluster a: images: --image"},
		{"bad rollout", head + "    clusters: [{name: a, context: a}]\n    rollout: canary\n", `rollout "canary": want serial`},
		{"rollout without clusters", head + "    context: c\n    rollout: parallel\n", "has 'rollout' but no 'clusters'"},
		{"unknown field", head + "    clusters: [{name: a, context: a, region: x}]\n", "field region not found"},
		{"neither", head, "or list its clusters under 'clusters'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/repo/kship.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "/repo/kship.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestParseTimeouts(t *testing.T) {
	c, err := Parse("/repo/kship.yaml", []byte(`timeouts: {Deployment: 10m, cert-manager.io/Certificate: 5m}
environments:
  prod:
    overlay: o
    context: c
    timeouts: {Deployment: 20m}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		group, kind, by string
		want            time.Duration
	}{
		{"apps", "Deployment", "timeouts: Deployment of environment prod in kship.yaml", 20 * time.Minute},
		{"cert-manager.io", "Certificate", "timeouts: cert-manager.io/Certificate in kship.yaml", 5 * time.Minute},
		{"example.com", "Certificate", "", 0},
	} {
		if d, by := c.TimeoutFor(c.Environments["prod"], tt.group, tt.kind); d != tt.want || by != tt.by {
			t.Errorf("TimeoutFor(%s, %s) = %s, %q; want %s, %q", tt.group, tt.kind, d, by, tt.want, tt.by)
		}
	}
	// The environment's kind beats the top level's group/kind.
	c2, err := Parse("/repo/kship.yaml", []byte("timeouts: {cert-manager.io/Certificate: 10m}\nenvironments:\n  prod: {overlay: o, context: c, timeouts: {Certificate: 1m}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := c2.TimeoutFor(c2.Environments["prod"], "cert-manager.io", "Certificate"); d != time.Minute {
		t.Errorf("the environment's Certificate: %s, want 1m", d)
	}
	for _, bad := range []struct{ yaml, want string }{
		{"timeouts: {Deployment: soon}\n", `line 1: "soon" is not a duration`},
		{"timeouts: {Deployment: -1m}\n", `"-1m" is not a duration`},
		{"timeouts: {deployment: 1m}\n", `key "deployment": want a kind`},
		{"timeouts: {/Job: 1m}\n", `key "/Job"`},
		{"timeouts: {v1/Service: 1m}\n", `give a group (apps, cert-manager.io), not a version`},
		{"timeouts: {core/Service: 1m}\n", `not a version, and a core kind without one`},
	} {
		_, err := Parse("/repo/kship.yaml", []byte(bad.yaml+"environments:\n  prod: {overlay: o, context: c}\n"))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.yaml, err, bad.want)
		}
	}
}
