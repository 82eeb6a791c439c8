package podlogs

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// follow streams every started container of the matching pods, and of
// those that start later, until ctx ends. A pod deleted is announced and
// its streams stopped.
func (s *streamer) follow(ctx context.Context, ns string, match Match) error {
	f := informers.NewSharedInformerFactoryWithOptions(s.cs, 0, informers.WithNamespace(ns))
	inf := f.Core().V1().Pods().Informer()
	var mu sync.Mutex
	// wg is this namespace's: another namespace's follow may still start
	// streams after this one has ended.
	var wg sync.WaitGroup
	streaming := map[types.UID]context.CancelFunc{}
	start := func(obj any, initial bool) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || !match(pod) || !started(pod) || pod.DeletionTimestamp != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if _, ok := streaming[pod.UID]; ok {
			return
		}
		pctx, cancel := context.WithCancel(ctx)
		streaming[pod.UID] = cancel
		if !initial {
			s.emit(Event{Type: PodFollowed, Pod: s.name(pod)})
		}
		for _, c := range s.containers(pod) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A pod that appeared later is read from its start.
				if err := s.copy(pctx, pod, c, !initial); err != nil && pctx.Err() == nil {
					s.emit(Event{Type: StreamFailed, Pod: s.name(pod), Container: c, Err: err})
				}
			}()
		}
	}
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc:    start,
		UpdateFunc: func(_, obj any) { start(obj, false) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			pod, ok := obj.(*corev1.Pod)
			if !ok {
				return
			}
			mu.Lock()
			cancel, ok := streaming[pod.UID]
			delete(streaming, pod.UID)
			mu.Unlock()
			if ok {
				cancel()
				s.emit(Event{Type: PodGone, Pod: s.name(pod)})
			}
		},
	})
	if err != nil {
		return err
	}
	f.Start(ctx.Done())
	<-ctx.Done()
	f.Shutdown()
	wg.Wait()
	return nil
}
