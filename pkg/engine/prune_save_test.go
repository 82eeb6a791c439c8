package engine_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/exitcode"
	"github.com/kship/kship/pkg/inventory"
	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/prune"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// checkPrune and pruneAfter: a member dropped from the build is deleted
// once the rollout is ready (a Pruned event after the last phase), and
// leaves the inventory; one annotated kship.dev/prune: disabled stays, with
// a Kept event and its reason, and stays a member. A deploy that would
// prune more than MaxPruneShare of the members is refused with a
// *prune.MassPruneError (exit 3) before it writes anything.
func TestPrune(t *testing.T) {
	c := testcluster.Require(t)
	ctx := context.Background()

	t.Run("pruned and kept", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		first := app{Extra: configMap("dropped") + configMap("keep", strconv.Quote(prune.Annotation)+": "+prune.Disabled)}
		if _, err := engine.Deploy(ctx, first.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		res, err := engine.Deploy(ctx, app{}.target(t, dir, ns, contextOf(c)), options(c, rec))
		if err != nil {
			t.Fatalf("deploy: %v", err)
		}
		dropped := object.Ref{Kind: "ConfigMap", Namespace: ns, Name: "dropped"}
		kept := object.Ref{Kind: "ConfigMap", Namespace: ns, Name: "keep"}
		if p := rec.of(event.Pruned); len(p) != 1 || p[0].Object != dropped || !reflect.DeepEqual(res.Pruned, []object.Ref{dropped}) {
			t.Errorf("pruned events %+v, Result.Pruned %v; want ConfigMap dropped", p, res.Pruned)
		}
		if rec.index(event.Pruned) < rec.lastIndex(event.PhaseDone) {
			t.Errorf("pruned before the rollout was ready: %s", rec.types())
		}
		want := prune.Annotation + ": " + prune.Disabled
		if k := rec.of(event.Kept); len(k) != 1 || k[0].Object != kept || k[0].Reason != want || len(res.KeptFromPrune) != 1 || res.KeptFromPrune[0].Reason != want {
			t.Errorf("kept events %+v, Result.KeptFromPrune %+v; want ConfigMap keep, because %q", k, res.KeptFromPrune, want)
		}
		if exists(t, c, ns, "dropped") || !exists(t, c, ns, "keep") {
			t.Errorf("after the prune: dropped there %v, keep there %v; want only keep", exists(t, c, ns, "dropped"), exists(t, c, ns, "keep"))
		}
		if s := stateOf(t, c, ns); hasMember(s, dropped) || !hasMember(s, kept) {
			t.Errorf("members %v, want keep and not dropped", s.Members)
		}
	})

	t.Run("mass prune refused", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		if _, err := engine.Deploy(ctx, app{Extra: configMap("a") + configMap("b") + configMap("c")}.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
			t.Fatal(err)
		}
		before, err := c.Clientset().CoreV1().Secrets(ns).Get(ctx, "kship-test", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		opts := options(c, rec)
		opts.MaxPruneShare = 0.5
		_, err = engine.Deploy(ctx, app{Value: "two"}.target(t, dir, ns, contextOf(c)), opts)
		var mp *prune.MassPruneError
		if !errors.As(err, &mp) || mp.Delete != 3 || mp.Members != 5 || exitcode.Of(err) != exitcode.Build {
			t.Fatalf("error %v (%T, exit %d), want a *prune.MassPruneError of 3 of 5, exit 3", err, err, exitcode.Of(err))
		}
		if rec.index(event.PhaseStarted) >= 0 || rec.index(event.Pruned) >= 0 {
			t.Errorf("events %s: want no phase and no prune", rec.types())
		}
		after, err := c.Clientset().CoreV1().Secrets(ns).Get(ctx, "kship-test", metav1.GetOptions{})
		if err != nil || after.ResourceVersion != before.ResourceVersion {
			t.Errorf("the inventory was written (%v)", err)
		}
		if level(t, c, ns) != "one" || !exists(t, c, ns, "a") || !exists(t, c, ns, "b") || !exists(t, c, ns, "c") {
			t.Error("the refused deploy changed or deleted objects")
		}
	})
}

// save: each good deploy saves its manifests; only the last 3 saved
// revisions are kept, in the history and as Secrets. When the save is
// refused (here by a quota on Secrets), the deploy still succeeds, emits
// SaveFailed for the revision, and records it as ready but not saved.
func TestSaveKeepsTheLastThree(t *testing.T) {
	c := testcluster.Require(t)
	ctx := context.Background()

	t.Run("last three", func(t *testing.T) {
		ns := c.Namespace(t)
		dir := t.TempDir()
		for i, v := range []string{"one", "two", "three", "four"} {
			if _, err := engine.Deploy(ctx, app{Value: v}.target(t, dir, ns, contextOf(c)), options(c, &recorder{})); err != nil {
				t.Fatalf("deploy %d: %v", i+1, err)
			}
		}
		if got := savedRevisions(t, c, ns); !reflect.DeepEqual(got, []int{2, 3, 4}) {
			t.Errorf("saved revisions %v, want [2 3 4]", got)
		}
		h := stateOf(t, c, ns).History
		var saved []int
		for _, r := range h {
			if r.Outcome != inventory.OutcomeReady {
				t.Errorf("history %s, want every revision ready", outcomes(h))
			}
			if r.Saved {
				saved = append(saved, r.Revision)
			}
		}
		if len(h) != 4 || !reflect.DeepEqual(saved, []int{2, 3, 4}) {
			t.Errorf("history %s, want 4 revisions, 2 to 4 saved", outcomes(h))
		}
	})

	t.Run("save refused", func(t *testing.T) {
		ns := c.Namespace(t)
		// One Secret: the inventory's; none left for a saved revision.
		q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "one-secret"},
			Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceSecrets: resource.MustParse("1")}}}
		if _, err := c.Clientset().CoreV1().ResourceQuotas(ns).Create(ctx, q, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		poll(t, "the quota's usage to be counted", func() bool {
			q, err := c.Clientset().CoreV1().ResourceQuotas(ns).Get(ctx, "one-secret", metav1.GetOptions{})
			return err == nil && q.Status.Used != nil
		})
		rec := &recorder{}
		res, err := engine.Deploy(ctx, app{}.target(t, t.TempDir(), ns, contextOf(c)), options(c, rec))
		if err != nil {
			t.Fatalf("deploy: %v, want the failed save not to fail it", err)
		}
		f := rec.of(event.SaveFailed)
		if len(f) != 1 || f[0].Revision != res.Revision || !strings.Contains(f[0].Error, "exceeded quota") {
			t.Errorf("save-failed events %+v, want one for revision %d, the quota's refusal", f, res.Revision)
		}
		h := stateOf(t, c, ns).History
		if r := revision(h, 1); r == nil || r.Outcome != inventory.OutcomeReady || r.Saved {
			t.Errorf("history %s, want revision 1 ready, not saved", outcomes(h))
		}
		if got := savedRevisions(t, c, ns); len(got) != 0 {
			t.Errorf("saved revisions %v, want none", got)
		}
	})
}
