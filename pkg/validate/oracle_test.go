package validate_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/kship/kship/internal/testcluster"
	"github.com/kship/kship/pkg/validate"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// oracle judges manifests with the API server: a server-side dry-run
// create with fieldValidation=Strict, so that unknown fields are refused
// as kship deploy's server-side apply refuses them.
type oracle struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
	ns     string
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// TestOracle submits every corpus case and every generated variant to the
// local API server and holds validate to its verdicts: validate must agree
// on every corpus case it claims, must never call invalid what the server
// accepts, and must agree on at least 99% of all cases. It logs the
// agreement table: case, oracle verdict, validate verdict.
func TestOracle(t *testing.T) {
	c := testcluster.Require(t)
	cfg := c.RESTConfig()
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	o := &oracle{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)), ns: c.Namespace(t)}

	var mu sync.Mutex
	var rows []string
	var tally agreement
	t.Run("cases", func(t *testing.T) {
		for _, cc := range append(loadCorpus(t), loadVariants(t)...) {
			t.Run(cc.name, func(t *testing.T) {
				t.Parallel()
				server, why := o.judge(t, cc.objs, cc.persist)
				rep, err := validate.Run(cc.objs, validate.Options{Environment: "oracle", DefaultNamespace: o.ns})
				if err != nil {
					t.Fatal(err)
				}
				got := verdict(rep)
				if cc.want != "" && server != cc.want {
					t.Errorf("the corpus says %s, the API server says %s (%s): fix the case", cc.want, server, why)
				}
				if got == "invalid" && server == "valid" {
					t.Errorf("false positive: validate rejects what the API server accepts; findings:\n%s", findingLines(rep))
				} else if cc.claim && got != server && cc.want != "" {
					t.Errorf("validate says %s, the API server says %s (%s); findings:\n%s", got, server, why, findingLines(rep))
				}
				mu.Lock()
				defer mu.Unlock()
				tally.add(server, got)
				claim, mark := "yes", "agree"
				switch {
				case cc.want == "":
					claim = "generated"
				case !cc.claim:
					claim = "no (known gap)"
				}
				if got != server {
					mark = "DISAGREE"
				}
				rows = append(rows, fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s", cc.name, cc.check, claim, server, got, mark, firstLine(why)))
			})
		}
	})
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tCHECK\tCLAIMED\tAPI SERVER\tVALIDATE\tRESULT\tSERVER SAYS")
	slices.Sort(rows)
	for _, r := range rows {
		fmt.Fprintln(tw, r)
	}
	tw.Flush()
	t.Logf("%s\n%s", tally, b.String())
	if tally.rate() < 0.99 {
		t.Errorf("validate agrees with the API server on %.1f%% of all cases, want at least 99%%", 100*tally.rate())
	}
}

// agreement counts validate's verdicts against the API server's.
type agreement struct{ cases, agree, falsePositives, misses int }

func (a *agreement) add(server, got string) {
	a.cases++
	switch {
	case got == server:
		a.agree++
	case got == "invalid":
		a.falsePositives++
	default:
		a.misses++
	}
}

func (a agreement) rate() float64 { return float64(a.agree) / float64(max(a.cases, 1)) }

// String is the figure the README quotes.
func (a agreement) String() string {
	return fmt.Sprintf("agreement with the API server on all cases: %d/%d (%.1f%%); %d false positives, %d misses",
		a.agree, a.cases, 100*a.rate(), a.falsePositives, a.misses)
}

// judge returns the server's verdict on a case and, for a rejection, why.
// CRDs in the case are created for real (and deleted afterwards), so that
// their instances can be judged; everything else is a dry run, unless
// persist asks for real creates (deleted afterwards): a dry run never
// reaches etcd, and so never meets its size limit.
func (o *oracle) judge(t *testing.T, objs []*unstructured.Unstructured, persist bool) (string, string) {
	ctx := context.Background()
	crds := map[string]schema.GroupVersionResource{}
	for _, u := range objs {
		if u.GetKind() == "CustomResourceDefinition" {
			gvr := o.installCRD(t, u)
			crds[gvr.GroupVersion().String()+" "+nestedString(u, "spec", "names", "kind")] = gvr
		}
	}
	for _, u := range objs {
		if u.GetKind() == "CustomResourceDefinition" {
			continue
		}
		gvr, namespaced, err := o.resource(u, crds)
		if meta.IsNoMatchError(err) {
			return "invalid", "not served: " + err.Error()
		}
		if err != nil {
			t.Fatalf("discovery: %v", err)
		}
		obj := u.DeepCopy()
		var ri dynamic.ResourceInterface = o.dyn.Resource(gvr)
		if namespaced {
			obj.SetNamespace(o.ns)
			ri = o.dyn.Resource(gvr).Namespace(o.ns)
		}
		opts := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict}
		if persist {
			opts.DryRun = nil
			t.Cleanup(func() { _ = ri.Delete(context.Background(), obj.GetName(), metav1.DeleteOptions{}) })
		}
		err = retry(func() error { _, err := ri.Create(ctx, obj, opts); return err })
		if _, isAPI := err.(apierrors.APIStatus); err != nil && !isAPI {
			t.Fatalf("the API server did not answer: %v", err)
		}
		if err != nil {
			return "invalid", err.Error()
		}
	}
	return "valid", ""
}

func (o *oracle) resource(u *unstructured.Unstructured, crds map[string]schema.GroupVersionResource) (schema.GroupVersionResource, bool, error) {
	if gvr, ok := crds[u.GetAPIVersion()+" "+u.GetKind()]; ok {
		return gvr, true, nil
	}
	gvk := u.GroupVersionKind()
	m, err := o.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return schema.GroupVersionResource{}, false, err
	}
	return m.Resource, m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// installCRD creates (or replaces) a case's CRD, waits until it is
// Established and deletes it when the test ends.
func (o *oracle) installCRD(t *testing.T, crd *unstructured.Unstructured) schema.GroupVersionResource {
	t.Helper()
	ctx := context.Background()
	ri := o.dyn.Resource(crdGVR)
	if err := ri.Delete(ctx, crd.GetName(), metav1.DeleteOptions{}); err == nil {
		waitGone(t, ri, crd.GetName())
	}
	if err := retry(func() error { _, err := ri.Create(ctx, crd, metav1.CreateOptions{}); return err }); err != nil {
		t.Fatalf("creating CRD %s: %v", crd.GetName(), err)
	}
	t.Cleanup(func() { _ = ri.Delete(context.Background(), crd.GetName(), metav1.DeleteOptions{}) })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		got, err := ri.Get(ctx, crd.GetName(), metav1.GetOptions{})
		if err == nil && established(got) {
			versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
			v, _ := versions[0].(map[string]any)["name"].(string)
			return schema.GroupVersionResource{Group: nestedString(crd, "spec", "group"), Version: v, Resource: nestedString(crd, "spec", "names", "plural")}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("CRD %s not Established after 30s", crd.GetName())
	return schema.GroupVersionResource{}
}

func established(crd *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}

func waitGone(t *testing.T, ri dynamic.ResourceInterface, name string) {
	for range 300 {
		if _, err := ri.Get(context.Background(), name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s still exists after 30s", name)
}

// retry retries f while the API server does not serve a freshly
// established CRD's resource yet, or does not answer at all (the shared
// local cluster being restarted), for up to a minute.
func retry(f func() error) error {
	var err error
	for range 600 {
		err = f()
		_, isAPI := err.(apierrors.APIStatus)
		if err == nil || isAPI && !apierrors.IsNotFound(err) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

func nestedString(u *unstructured.Unstructured, fields ...string) string {
	s, _, _ := unstructured.NestedString(u.Object, fields...)
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 110 {
		s = s[:107] + "..."
	}
	return s
}
