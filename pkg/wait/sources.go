package wait

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/kube"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// sources are the informers a wait reads from: one per resource type and
// namespace of the targets, plus pods and ReplicaSets in namespaces that
// hold workloads.
type sources struct {
	client  *kube.Client
	objects map[groupKey]cache.SharedIndexInformer
	pods    map[string]cache.SharedIndexInformer
	rsets   map[string]cache.SharedIndexInformer
	where   map[*tracked]groupKey
	cancel  context.CancelFunc
	// poll reads, one by one, the objects of kinds this identity may not
	// list or watch (a namespace-scoped CI identity, and a cluster-scoped
	// kind such as its own Namespace).
	poll *poller
}

type groupKey struct {
	gvr schema.GroupVersionResource
	ns  string
}

// byController indexes pods and ReplicaSets by their controller's UID.
const byController = "controller"

func indexByController(obj any) ([]string, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	if ref := metav1.GetControllerOfNoCopy(m); ref != nil {
		return []string{string(ref.UID)}, nil
	}
	return nil, nil
}

func startSources(ctx context.Context, client *kube.Client, targets []*tracked, poke func()) (*sources, error) {
	ctx, cancel := context.WithCancel(ctx)
	s := &sources{
		client:  client,
		objects: map[groupKey]cache.SharedIndexInformer{},
		pods:    map[string]cache.SharedIndexInformer{},
		rsets:   map[string]cache.SharedIndexInformer{},
		where:   map[*tracked]groupKey{},
		cancel:  cancel,
		poll:    newPoller(client),
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke() },
		UpdateFunc: func(any, any) { poke() },
		DeleteFunc: func(any) { poke() },
	}
	var all []cache.InformerSynced
	for _, t := range targets {
		if t.done {
			continue
		}
		gvk := t.obj.GroupVersionKind()
		m, err := client.Mapper.Mapping(ctx, gvk.GroupKind(), gvk.Version)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("%s: %w", t.ref, err)
		}
		k := groupKey{m.Resource, t.obj.GetNamespace()}
		s.where[t] = k
		if s.polled(ctx, k, t) {
			continue
		}
		if _, ok := s.objects[k]; !ok {
			inf := dynamicinformer.NewFilteredDynamicInformer(client.Dynamic, k.gvr, k.ns, 0, cache.Indexers{}, nil).Informer()
			if _, err := inf.AddEventHandler(handler); err != nil {
				cancel()
				return nil, err
			}
			s.objects[k] = inf
			all = append(all, inf.HasSynced)
		}
		if hasPods(gvk.GroupKind()) {
			all = append(all, s.watchPods(t.obj.GetNamespace(), handler)...)
		}
	}
	for _, inf := range s.objects {
		go inf.RunWithContext(ctx)
	}
	if len(s.poll.targets) > 0 {
		go s.poll.run(ctx, poke)
	}
	if !cache.WaitForCacheSync(ctx.Done(), all...) {
		cancel()
		return nil, fmt.Errorf("watching the applied objects: %w", context.Cause(ctx))
	}
	return s, nil
}

// watchPods starts pod and ReplicaSet informers for ns, once.
func (s *sources) watchPods(ns string, handler cache.ResourceEventHandler) []cache.InformerSynced {
	if _, ok := s.pods[ns]; ok {
		return nil
	}
	f := informers.NewSharedInformerFactoryWithOptions(s.client.Typed, 0, informers.WithNamespace(ns))
	pods := f.Core().V1().Pods().Informer()
	rsets := f.Apps().V1().ReplicaSets().Informer()
	for _, inf := range []cache.SharedIndexInformer{pods, rsets} {
		_ = inf.AddIndexers(cache.Indexers{byController: indexByController})
		_, _ = inf.AddEventHandler(handler)
	}
	s.pods[ns], s.rsets[ns] = pods, rsets
	s.objects[groupKey{schema.GroupVersionResource{Resource: "pods"}, ns}] = pods
	s.objects[groupKey{schema.GroupVersionResource{Group: "apps", Resource: "replicasets"}, ns}] = rsets
	return []cache.InformerSynced{pods.HasSynced, rsets.HasSynced}
}

func (s *sources) stop() { s.cancel() }

// get returns t's live object from the cache, or nil.
func (s *sources) get(t *tracked) *unstructured.Unstructured {
	if o, ok := s.poll.get(t); ok {
		return o
	}
	inf := s.objects[s.where[t]]
	if inf == nil {
		return nil
	}
	key := t.obj.GetName()
	if ns := t.obj.GetNamespace(); ns != "" {
		key = ns + "/" + key
	}
	obj, ok, err := inf.GetStore().GetByKey(key)
	if err != nil || !ok {
		return nil
	}
	u, _ := obj.(*unstructured.Unstructured)
	return u
}

func hasPods(gk schema.GroupKind) bool {
	switch gk {
	case schema.GroupKind{Group: "apps", Kind: "Deployment"},
		schema.GroupKind{Group: "apps", Kind: "StatefulSet"},
		schema.GroupKind{Group: "apps", Kind: "DaemonSet"},
		schema.GroupKind{Group: "apps", Kind: "ReplicaSet"},
		schema.GroupKind{Group: "batch", Kind: "Job"}:
		return true
	}
	return false
}
