package kube

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"
)

// Mapper maps kinds to resources from the cluster's API discovery.
//
// Discovery is held in memory for one command, never in kubectl's disk
// cache: a cache written for an earlier cluster at the same URL would name
// kinds that no longer exist, and one written before a deploy created its
// CRDs would miss theirs.
//
// Kinds the caller expects to appear (those of CRDs a deploy creates) are
// waited for: discovery serves a new CRD's kind a moment after the CRD is
// Established, and a deploy must not fail a phase for that lag.
type Mapper struct {
	deferred *restmapper.DeferredDiscoveryRESTMapper

	mu sync.Mutex
	// expected are the kinds to wait for, with the versions their CRDs
	// serve (any version when none is listed).
	expected map[schema.GroupKind][]string
	// gaveUp are the kinds (and versions) waited for in vain: asked again,
	// they fail at once.
	gaveUp map[schema.GroupVersionKind]bool

	// Patience is how long Mapping waits for an expected kind to be served.
	Patience time.Duration
}

// DefaultPatience is how long a Mapper waits for an expected kind.
const DefaultPatience = 30 * time.Second

// NewMapper returns a Mapper reading discovery through d.
func NewMapper(d discovery.DiscoveryInterface) *Mapper {
	cached := memory.NewMemCacheClient(d)
	return &Mapper{
		deferred: restmapper.NewDeferredDiscoveryRESTMapper(cached),
		expected: map[schema.GroupKind][]string{},
		gaveUp:   map[schema.GroupVersionKind]bool{},
		Patience: DefaultPatience,
	}
}

// Expect says that kind gk will be created (by a CRD this command
// applies), at versions (any version when none are given), so that Mapping
// waits for it instead of failing at once.
func (m *Mapper) Expect(gk schema.GroupKind, versions ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expected[gk] = versions
}

// Expected reports whether gk was announced with Expect at version v
// ("" for any version), and not waited for in vain already.
func (m *Mapper) Expected(gk schema.GroupKind, v string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	versions, ok := m.expected[gk]
	if !ok || m.gaveUp[gk.WithVersion(v)] {
		return false
	}
	if v == "" || len(versions) == 0 {
		return true
	}
	for _, e := range versions {
		if e == v {
			return true
		}
	}
	return false
}

// Reset forgets what discovery said, so that the next lookup asks again.
func (m *Mapper) Reset() { m.deferred.Reset() }

// Lookup returns the resource for gk (at one of versions, when given) as
// discovery says now, without waiting for an expected kind.
func (m *Mapper) Lookup(ctx context.Context, gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return m.deferred.RESTMappingWithContext(ctx, gk, versions...)
}

// Mapping returns the resource for gk (at one of versions, when given). A
// kind the cluster does not serve is a meta.NoKindMatchError at once, except
// an expected one, which is looked up again, with a fresh discovery each
// time, until it is served, ctx ends or Patience runs out; after that, it
// fails at once too.
func (m *Mapper) Mapping(ctx context.Context, gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	mapping, err := m.deferred.RESTMappingWithContext(ctx, gk, versions...)
	version := ""
	if len(versions) > 0 {
		version = versions[0]
	}
	if err == nil || !meta.IsNoMatchError(err) || !m.Expected(gk, version) {
		return mapping, err
	}
	deadline := time.Now().Add(m.Patience)
	delay := 50 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the API server to serve kind %s: %w", gk, context.Cause(ctx))
		case <-time.After(delay):
		}
		m.deferred.ResetWithContext(ctx)
		mapping, err = m.deferred.RESTMappingWithContext(ctx, gk, versions...)
		if err == nil || !meta.IsNoMatchError(err) {
			return mapping, err
		}
		if time.Now().After(deadline) {
			m.mu.Lock()
			m.gaveUp[gk.WithVersion(version)] = true
			m.mu.Unlock()
			return nil, fmt.Errorf("kind %s is defined by a CustomResourceDefinition of this deploy, but the API server did not serve it within %s: %w",
				gk, m.Patience, err)
		}
		delay = min(2*delay, time.Second)
	}
}

// IsNamespaced reports whether objects of gk live in a namespace.
func (m *Mapper) IsNamespaced(ctx context.Context, gk schema.GroupKind, versions ...string) (bool, error) {
	mapping, err := m.Mapping(ctx, gk, versions...)
	if err != nil {
		return false, err
	}
	return mapping.Scope.Name() == meta.RESTScopeNameNamespace, nil
}
