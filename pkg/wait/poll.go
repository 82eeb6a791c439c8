package wait

import (
	"context"
	"sync"
	"time"

	"github.com/kship/kship/pkg/kube"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// pollEvery is how often a polled object is read again.
const pollEvery = time.Second

// poller reads objects one by one, for kinds that may be read but not
// listed or watched: slower to notice a change than a watch, but the only
// way for such an identity.
type poller struct {
	client  *kube.Client
	mu      sync.Mutex
	targets map[*tracked]schema.GroupVersionResource
	latest  map[*tracked]*unstructured.Unstructured
	// denied groups are known not to be listable.
	denied map[groupKey]bool
}

func newPoller(client *kube.Client) *poller {
	return &poller{client: client, targets: map[*tracked]schema.GroupVersionResource{},
		latest: map[*tracked]*unstructured.Unstructured{}, denied: map[groupKey]bool{}}
}

// polled reports whether t, of group k, must be polled: when this identity
// may not list or watch k (asked once per group: a one-item list, and an
// access review for watch), t is added to the poller, starting from its
// applied state.
func (s *sources) polled(ctx context.Context, k groupKey, t *tracked) bool {
	p := s.poll
	if _, probed := s.objects[k]; probed {
		return false
	}
	if !p.denied[k] {
		_, err := s.client.Metadata.Resource(k.gvr).Namespace(k.ns).List(ctx, metav1.ListOptions{Limit: 1})
		_, denied := kube.AsDenied(err)
		if !denied && err == nil && mayWatch(ctx, s.client, k) {
			return false
		}
		if !denied && err != nil {
			return false // not a refusal: the informer reports it
		}
		p.denied[k] = true
	}
	p.targets[t] = k.gvr
	p.latest[t] = t.obj
	return true
}

// get returns the last read of t, if t is polled.
func (p *poller) get(t *tracked) (*unstructured.Unstructured, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.targets[t]; !ok {
		return nil, false
	}
	return p.latest[t], true
}

// run reads every polled object each pollEvery until ctx ends, and pokes
// when one changed.
func (p *poller) run(ctx context.Context, poke func()) {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		changed := false
		for t, gvr := range p.targets {
			o, err := p.client.Dynamic.Resource(gvr).Namespace(t.obj.GetNamespace()).Get(ctx, t.obj.GetName(), metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				o, err = nil, nil
			}
			if err != nil {
				continue // keep the last read; the next tick tries again
			}
			p.mu.Lock()
			if prev := p.latest[t]; prev == nil || o == nil || prev.GetResourceVersion() != o.GetResourceVersion() {
				p.latest[t], changed = o, true
			}
			p.mu.Unlock()
		}
		if changed {
			poke()
		}
	}
}

// mayWatch asks the API server whether this identity may watch group k; a
// question it cannot answer counts as yes (the informer will tell).
func mayWatch(ctx context.Context, client *kube.Client, k groupKey) bool {
	review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "watch", Group: k.gvr.Group, Resource: k.gvr.Resource, Namespace: k.ns}}}
	res, err := client.Typed.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
	return err != nil || res.Status.Allowed
}
