package validate

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/kship/kship/pkg/object"
	"github.com/kship/kship/pkg/validate/openapi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Run validates one environment's built objects offline: each against the
// schema of its kind (built-in kinds from the shipped OpenAPI schemas, custom
// resources from the CRDs in the build and in opts.CRDs), then the references
// between them, then the policy rules. It does not change objs.
//
// The error is for a bad call (unknown Kubernetes version or rule id); what
// is wrong with the objects is in the Report.
func Run(objs []*unstructured.Unstructured, opts Options) (*Report, error) {
	cat, err := catalog(opts.KubernetesVersion)
	if err != nil {
		return nil, err
	}
	sev, err := severities(opts.Rules, opts.Production)
	if err != nil {
		return nil, err
	}
	if opts.FailOn != "" && opts.FailOn != Error && opts.FailOn != Warning {
		return nil, &FailOnError{Value: string(opts.FailOn)}
	}
	c := &checker{opts: opts, cat: cat, sev: sev}
	c.objs = make([]*manifest, len(objs))
	for i, u := range objs {
		c.objs[i] = newManifest(u, &c.opts)
	}
	c.crds = c.collectCRDs()
	c.namespaces()

	rep := &Report{Environment: opts.Environment, KubernetesVersion: cat.Version, Objects: make([]object.Ref, len(c.objs)), FailOn: Error}
	if opts.FailOn == Warning {
		rep.FailOn = Warning
	}
	order := make(map[object.Ref]int, len(c.objs))
	for i, o := range c.objs {
		rep.Objects[i] = o.ref
		if _, dup := order[o.ref]; !dup {
			order[o.ref] = i
		}
	}
	rep.Findings = append(rep.Findings, c.crds.findings...)
	rep.Findings = append(rep.Findings, c.eachObject()...)
	var cross findings
	cross.c = c
	c.references(&cross)
	c.selectors(&cross)
	c.policy(&cross)
	c.production(&cross)
	c.plaintext(&cross)
	rep.Findings = append(rep.Findings, cross.list...)
	redact(rep.Findings, c.objs, c.opts.Redact)
	sortFindings(rep.Findings, order)
	return rep, nil
}

// checker holds one Run's inputs.
type checker struct {
	opts Options
	cat  *openapi.Catalog
	sev  map[string]Severity
	objs []*manifest
	crds *crdSet
}

// findings collects what checks report, at each rule's severity.
type findings struct {
	c    *checker
	list []Finding
}

// add records a finding about o unless its rule is off.
func (f *findings) add(o *manifest, field, rule, format string, a ...any) {
	s := f.c.sev[rule]
	if s == Off {
		return
	}
	if s == "" {
		panic(fmt.Sprintf("validate: finding with unregistered rule %q", rule))
	}
	f.list = append(f.list, Finding{
		Environment: f.c.opts.Environment, Object: o.ref, Field: field, Source: o.source,
		Rule: rule, Severity: s, Message: fmt.Sprintf(format, a...),
	})
}

// namespaces gives namespaced objects that name no namespace the default
// one, as the deploy will.
func (c *checker) namespaces() {
	for _, o := range c.objs {
		if o.ref.Namespace != "" || c.opts.DefaultNamespace == "" {
			continue
		}
		if c.namespaced(o) {
			o.ref.Namespace = c.opts.DefaultNamespace
		}
	}
}

// namespaced reports whether o's kind is namespaced; unknown kinds are
// taken to be.
func (c *checker) namespaced(o *manifest) bool {
	if k, ok := c.cat.Lookup(o.apiVersion, o.ref.Kind); ok {
		return k.Namespaced
	}
	if k, ok := c.crds.lookup(o.apiVersion, o.ref.Kind); ok {
		return k.Namespaced
	}
	return true
}

// eachObject runs the per-object checks (API, schema, metadata) on all
// cores: they read only their own object and the schemas.
func (c *checker) eachObject() []Finding {
	results := make([][]Finding, len(c.objs))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(c.objs)/64))
	var wg sync.WaitGroup
	next := make(chan int, len(c.objs))
	for i := range c.objs {
		next <- i
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for i := range next {
				f := findings{c: c}
				c.checkObject(&f, c.objs[i])
				results[i] = f.list
			}
		})
	}
	wg.Wait()
	var out []Finding
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}

// checkObject checks o's apiVersion and kind, then its fields.
func (c *checker) checkObject(f *findings, o *manifest) {
	if o.apiVersion == "" || o.ref.Kind == "" {
		for _, k := range []string{"apiVersion", "kind"} {
			if getString(o.m, k) == "" {
				f.add(o, k, RuleRequired, "required field is missing")
			}
		}
		return
	}
	s, ok := c.schemaOf(f, o)
	if !ok {
		return
	}
	c.checkSchema(f, o, s)
	c.checkName(f, o)
	c.checkPodSpec(f, o)
	c.checkData(f, o)
	c.checkSize(f, o)
	c.checkServer(f, o)
}
