package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// controller judges pods that have not started yet whenever they, or a
// ConfigMap or Secret of their namespace, change.
type controller struct {
	cs                 kubernetes.Interface
	factory            informers.SharedInformerFactory
	pods, cms, secrets cache.SharedIndexInformer
	queue              workqueue.TypedRateLimitingInterface[string]
}

func newController(cs kubernetes.Interface) *controller {
	f := informers.NewSharedInformerFactory(cs, 0)
	c := &controller{
		cs:      cs,
		factory: f,
		pods:    f.Core().V1().Pods().Informer(),
		cms:     f.Core().V1().ConfigMaps().Informer(),
		secrets: f.Core().V1().Secrets().Informer(),
		queue:   workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
	}
	_ = c.cms.SetTransform(keysOnly)
	_ = c.secrets.SetTransform(keysOnly)
	_, _ = c.pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueuePod,
		UpdateFunc: func(_, obj any) { c.enqueuePod(obj) },
	})
	refs := cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueueNamespace,
		UpdateFunc: func(_, obj any) { c.enqueueNamespace(obj) },
		DeleteFunc: c.enqueueNamespace,
	}
	_, _ = c.cms.AddEventHandler(refs)
	_, _ = c.secrets.AddEventHandler(refs)
	return c
}

// keysOnly strips a ConfigMap or Secret down to its name and keys, so that
// no value (nor a last-applied annotation holding them) is kept in memory.
func keysOnly(obj any) (any, error) {
	meta := func(m metav1.ObjectMeta) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion}
	}
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		out := &corev1.ConfigMap{ObjectMeta: meta(o.ObjectMeta), Data: map[string]string{}, BinaryData: map[string][]byte{}}
		for k := range o.Data {
			out.Data[k] = ""
		}
		for k := range o.BinaryData {
			out.BinaryData[k] = nil
		}
		return out, nil
	case *corev1.Secret:
		out := &corev1.Secret{ObjectMeta: meta(o.ObjectMeta), Data: map[string][]byte{}}
		for k := range o.Data {
			out.Data[k] = nil
		}
		return out, nil
	}
	return obj, nil
}

// pending reports whether pod still waits for a verdict that lets it start.
func pending(pod *corev1.Pod) bool {
	return pod.DeletionTimestamp == nil && pod.Status.Phase != corev1.PodSucceeded &&
		pod.Status.Phase != corev1.PodFailed && pod.Annotations[annRefs] != "ok"
}

func (c *controller) enqueuePod(obj any) {
	if pod, ok := obj.(*corev1.Pod); ok && pending(pod) {
		c.queue.Add(pod.Namespace + "/" + pod.Name)
	}
}

// enqueueNamespace queues the pending pods of the namespace of a ConfigMap
// or Secret that changed: one of them may have waited for it.
func (c *controller) enqueueNamespace(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, err := metaOf(obj)
	if err != nil {
		return
	}
	pods, _ := c.pods.GetIndexer().ByIndex(cache.NamespaceIndex, m.GetNamespace())
	for _, p := range pods {
		c.enqueuePod(p)
	}
}

func metaOf(obj any) (metav1.Object, error) {
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		return o, nil
	case *corev1.Secret:
		return o, nil
	}
	return nil, fmt.Errorf("unexpected %T", obj)
}

func (c *controller) run(ctx context.Context, workers int) error {
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())
	for typ, ok := range c.factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("watching %v: %w", typ, context.Cause(ctx))
		}
	}
	log.Printf("watching pods, ConfigMaps and Secrets")
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c.next(ctx) {
			}
		})
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
	c.factory.Shutdown()
	return nil
}

// next judges one queued pod; false once the queue is shut down.
func (c *controller) next(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	if err := c.judgePod(ctx, key); err != nil {
		log.Printf("pod %s: %v (retrying)", key, err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

func (c *controller) judgePod(ctx context.Context, key string) error {
	obj, exists, err := c.pods.GetIndexer().GetByKey(key)
	if err != nil || !exists {
		return err
	}
	pod := obj.(*corev1.Pod)
	if !pending(pod) {
		return nil
	}
	v, err := judge(pod, cached{c, pod.Namespace})
	if err == nil && !v.ok() {
		// The caches of pods, ConfigMaps and Secrets are not in step: a
		// ConfigMap created just before the pod may not be in ours yet.
		// What is missing is confirmed with the API server.
		v, err = judge(pod, live{ctx, c.cs, pod.Namespace})
	}
	if err != nil {
		return err
	}
	want := v.annotations()
	if same(pod.Annotations, want) {
		return nil
	}
	if err := c.annotate(ctx, pod, want); err != nil {
		return err
	}
	log.Printf("pod %s: %s", key, v.describe())
	return nil
}

// same reports whether the pod's annotations already say what want says.
func same(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func (c *controller) annotate(ctx context.Context, pod *corev1.Pod, want map[string]string) error {
	anns := map[string]any{}
	for k, v := range want {
		if v == "" {
			anns[k] = nil // a merge patch removes it
		} else {
			anns[k] = v
		}
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": anns}})
	if err != nil {
		return err
	}
	_, err = c.cs.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// cached looks ConfigMaps and Secrets up in the informers' caches.
type cached struct {
	c  *controller
	ns string
}

func (l cached) configMap(name string) (keys, bool, error) {
	obj, ok, err := l.c.cms.GetIndexer().GetByKey(l.ns + "/" + name)
	if err != nil || !ok {
		return keys{}, false, err
	}
	cm := obj.(*corev1.ConfigMap)
	return configMapKeys(cm), true, nil
}

func (l cached) secret(name string) (keys, bool, error) {
	obj, ok, err := l.c.secrets.GetIndexer().GetByKey(l.ns + "/" + name)
	if err != nil || !ok {
		return keys{}, false, err
	}
	return secretKeys(obj.(*corev1.Secret)), true, nil
}

// live looks ConfigMaps and Secrets up on the API server.
type live struct {
	ctx context.Context
	cs  kubernetes.Interface
	ns  string
}

func (l live) configMap(name string) (keys, bool, error) {
	cm, err := l.cs.CoreV1().ConfigMaps(l.ns).Get(l.ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return keys{}, false, nil
	}
	if err != nil {
		return keys{}, false, err
	}
	return configMapKeys(cm), true, nil
}

func (l live) secret(name string) (keys, bool, error) {
	s, err := l.cs.CoreV1().Secrets(l.ns).Get(l.ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return keys{}, false, nil
	}
	if err != nil {
		return keys{}, false, err
	}
	return secretKeys(s), true, nil
}

func configMapKeys(cm *corev1.ConfigMap) keys {
	k := keys{data: map[string]bool{}, binary: map[string]bool{}}
	for n := range cm.Data {
		k.data[n] = true
	}
	for n := range cm.BinaryData {
		k.binary[n] = true
	}
	return k
}

func secretKeys(s *corev1.Secret) keys {
	k := keys{data: map[string]bool{}}
	for n := range s.Data {
		k.data[n] = true
	}
	return k
}
