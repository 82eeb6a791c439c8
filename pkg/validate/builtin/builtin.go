package builtin

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
)

// KubernetesVersion is the minor release whose validation code Check runs:
// that of the k8s.io/kubernetes module kship is built with.
const KubernetesVersion = "1.37"

// Issue is one rejection the API server's validation code makes.
type Issue struct {
	// Field is the field path, as the API server writes it
	// ("spec.template.spec.containers[0].image").
	Field string
	// Type is the kind of rejection (field.ErrorType's string: "Required
	// value", "Invalid value", ...).
	Type field.ErrorType
	// Message is the server's own wording without the field path
	// (`Invalid value: "one": a valid percent string must be ...`). For a
	// Secret, the value is left out ("Invalid value: ...: ").
	Message string
}

// Result is the API server's verdict on creating one object.
type Result struct {
	// Errors are the rejections; a create with any is refused.
	Errors []Issue
	// Warnings are what the API server would send back as warnings.
	Warnings []string
}

// Known reports whether Check validates objects of gvk.
func Known(gvk schema.GroupVersionKind) bool {
	s := load()
	_, ok := s.strategies[gvk.GroupKind()]
	return ok && s.scheme.Recognizes(gvk)
}

// Check runs the validation the API server runs for a create of u in
// namespace (ignored for cluster-scoped kinds): decode, default, convert to
// the internal version, prepare for create, validate, warn. ok is false for
// kinds Check does not know (custom resources, API groups it does not
// load); then the Result is empty.
//
// The error is for an object that does not decode; kship's schema checks
// report those first, with better wording.
func Check(u *unstructured.Unstructured, namespace string) (res Result, ok bool, err error) {
	s := load()
	gvk := u.GroupVersionKind()
	strategy, known := s.strategies[gvk.GroupKind()]
	if !known || !s.scheme.Recognizes(gvk) {
		return Result{}, false, nil
	}
	obj, err := s.internal(u, gvk)
	if err != nil {
		return Result{}, true, err
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return Result{}, true, err
	}
	if !strategy.NamespaceScoped() {
		namespace = ""
	} else if m.GetNamespace() != "" {
		namespace = m.GetNamespace()
	}
	m.SetNamespace(namespace)
	secret := gvk.Group == "" && gvk.Kind == "Secret"
	rest.FillObjectMetaSystemFields(m)
	ctx := genericapirequest.WithNamespace(context.Background(), namespace)
	ctx = genericapirequest.WithRequestInfo(ctx, requestInfo(gvk, strategy.NamespaceScoped(), namespace, m.GetName()))
	if allocate := s.allocate[gvk.GroupKind()]; allocate != nil {
		if errs := allocate(obj); len(errs) > 0 {
			res.Errors = Issues(errs, secret)
			return res, true, nil
		}
	}
	strategy.PrepareForCreate(ctx, obj)
	res.Errors = Issues(rest.ValidateCreate(ctx, obj, strategy), secret)
	res.Warnings = strategy.WarningsOnCreate(ctx, obj)
	return res, true, nil
}

// Issues renders the API server's errors as Issues, leaving out the bad
// values when secret is set.
func Issues(errs field.ErrorList, secret bool) []Issue {
	out := make([]Issue, 0, len(errs))
	for _, e := range errs {
		if secret {
			e.BadValue = field.OmitValueType{}
		}
		out = append(out, Issue{Field: e.Field, Type: e.Type, Message: e.ErrorBody()})
	}
	return out
}

// requestInfo describes the create as the API server's request filter
// would; some strategies read it.
func requestInfo(gvk schema.GroupVersionKind, namespaced bool, namespace, name string) *genericapirequest.RequestInfo {
	ri := &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "create", APIGroup: gvk.Group, APIVersion: gvk.Version, Name: name,
	}
	if namespaced {
		ri.Namespace = namespace
	}
	return ri
}

// loaded is the scheme and strategies, set up once on first use so that
// commands that never validate do not pay for it.
type loaded struct {
	scheme     *runtime.Scheme
	strategies map[schema.GroupKind]rest.RESTCreateStrategy
	// allocate is what a kind's storage does to a create before its
	// strategy sees it.
	allocate map[schema.GroupKind]func(runtime.Object) field.ErrorList
	// decoder decodes JSON as the API server does, to the internal version.
	decoder runtime.Decoder
}

var load = sync.OnceValue(func() *loaded {
	install(legacyscheme.Scheme)
	return &loaded{
		scheme:     legacyscheme.Scheme,
		strategies: strategies(),
		allocate:   map[schema.GroupKind]func(runtime.Object) field.ErrorList{{Kind: "Service"}: allocateService},
		decoder:    legacyscheme.Codecs.UniversalDecoder(),
	}
})

// internal is what the API server's decoder makes of u: the versioned
// object, defaulted, converted to the internal version. It converts from
// the unstructured form directly instead of through JSON, which costs a
// copy of every string (a large ConfigMap's data, twice); but that
// converter wraps a number too large for an int32 field where the decoder
// refuses it, so an object holding one goes through JSON, as it does to
// the server.
func (s *loaded) internal(u *unstructured.Unstructured, gvk schema.GroupVersionKind) (runtime.Object, error) {
	if !int32Sized(u.Object) {
		return s.decodeJSON(u)
	}
	versioned, err := s.scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, versioned); err != nil {
		return nil, err
	}
	s.scheme.Default(versioned)
	internal, err := s.scheme.New(gvk.GroupKind().WithVersion(runtime.APIVersionInternal))
	if err != nil {
		return nil, err
	}
	if err := s.scheme.Convert(versioned, internal, nil); err != nil {
		return nil, err
	}
	return internal, nil
}

// decodeJSON is what the API server's decoder makes of u sent as JSON, as
// kship sends it.
func (s *loaded) decodeJSON(u *unstructured.Unstructured) (runtime.Object, error) {
	data, err := json.Marshal(u.Object)
	if err != nil {
		return nil, err
	}
	obj, _, err := s.decoder.Decode(data, nil, nil)
	return obj, err
}

// int32Sized reports whether every whole number within v fits an int32.
func int32Sized(v any) bool {
	switch v := v.(type) {
	case int64:
		return v >= math.MinInt32 && v <= math.MaxInt32
	case int:
		return v >= math.MinInt32 && v <= math.MaxInt32
	case float64:
		return v >= math.MinInt32 && v <= math.MaxInt32 || v != math.Trunc(v)
	case map[string]any:
		for _, e := range v {
			if !int32Sized(e) {
				return false
			}
		}
	case []any:
		for _, e := range v {
			if !int32Sized(e) {
				return false
			}
		}
	}
	return true
}

// String renders an issue as the API server does.
func (i Issue) String() string { return fmt.Sprintf("%s: %s", i.Field, i.Message) }
