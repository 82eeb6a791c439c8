package podlogs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Options says which logs to read and where to write them.
type Options struct {
	// Container reads only that container of each pod ("" for all).
	Container string
	// Follow keeps streaming, and follows pods that appear later.
	Follow bool
	// Since, when set, reads only lines newer than this.
	Since time.Duration
	// Tail, when 0 or more, reads only the last Tail lines of each
	// container (of the pods there at the start).
	Tail int64
	// Previous reads the logs of the previous instance of each container.
	Previous bool
	// Out receives the lines, each whole and prefixed.
	Out io.Writer
	// Prefix returns what goes before each line of a pod's container
	// (default "pod/POD CONTAINER ").
	Prefix func(pod, container string) string
	// OnEvent, when set, is told about pods that are followed or gone, and
	// streams that could not be read: one call at a time, never while a
	// line is being written.
	OnEvent func(Event)
}

// Event is something that happened to a pod being followed.
type Event struct {
	Type      EventType
	Pod       string
	Container string
	Err       error
}

// EventType says what happened.
type EventType string

// The events.
const (
	// PodFollowed: a pod that appeared is now followed.
	PodFollowed EventType = "followed"
	// PodGone: a pod was deleted; its lines end.
	PodGone EventType = "gone"
	// StreamFailed: a container's logs could not be read (Err says why).
	StreamFailed EventType = "failed"
)

// Match reports whether a pod's logs are wanted.
type Match func(*corev1.Pod) bool

// DefaultPrefix is "pod/POD CONTAINER ".
func DefaultPrefix(pod, container string) string { return "pod/" + pod + " " + container + " " }

// streamer writes the lines of many streams to one writer, whole, and
// their events one at a time.
type streamer struct {
	cs   kubernetes.Interface
	opts Options
	// mu is held while a line is written or an event told.
	mu sync.Mutex
	// namespaced is set when the pods come from several namespaces: they
	// are then named NAMESPACE/POD, as two may have the same name.
	namespaced bool
}

// name is how lines, events and errors name pod.
func (s *streamer) name(pod *corev1.Pod) string {
	if s.namespaced {
		return pod.Namespace + "/" + pod.Name
	}
	return pod.Name
}

func (s *streamer) emit(e Event) {
	if s.opts.OnEvent != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.opts.OnEvent(e)
	}
}

// containers lists pod's containers whose logs are read.
func (s *streamer) containers(pod *corev1.Pod) []string {
	var out []string
	for _, c := range pod.Spec.Containers {
		if s.opts.Container == "" || c.Name == s.opts.Container {
			out = append(out, c.Name)
		}
	}
	return out
}

// copy streams one container's logs to Out, a line at a time.
func (s *streamer) copy(ctx context.Context, pod *corev1.Pod, container string, fromStart bool) error {
	lo := &corev1.PodLogOptions{Container: container, Follow: s.opts.Follow, Previous: s.opts.Previous}
	if !fromStart {
		if s.opts.Since > 0 {
			secs := int64(s.opts.Since.Seconds())
			lo.SinceSeconds = &secs
		}
		if s.opts.Tail >= 0 {
			tail := s.opts.Tail
			lo.TailLines = &tail
		}
	}
	rc, err := s.cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, lo).Stream(ctx)
	if err != nil {
		return fmt.Errorf("pod/%s %s: reading its logs: %w", s.name(pod), container, err)
	}
	defer rc.Close()
	prefix := s.opts.Prefix
	if prefix == nil {
		prefix = DefaultPrefix
	}
	p := prefix(s.name(pod), container)
	r := bufio.NewReader(rc)
	for {
		line, err := r.ReadString('\n')
		if len(line) > 0 {
			if line[len(line)-1] != '\n' {
				line += "\n"
			}
			s.mu.Lock()
			_, werr := io.WriteString(s.opts.Out, p+line)
			s.mu.Unlock()
			if werr != nil {
				return werr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("pod/%s %s: %w", s.name(pod), container, err)
		}
	}
}

// Stream writes the logs of the pods in the namespaces that match (named
// NAMESPACE/POD when there are several namespaces). Without
// Follow, it reads each pod's containers in turn, namespaces in the order
// given and pods sorted by name, and returns once all are read; with it,
// it streams them all at once, and the pods that appear later, until ctx
// ends.
func Stream(ctx context.Context, cs kubernetes.Interface, namespaces []string, match Match, opts Options) error {
	s := &streamer{cs: cs, opts: opts, namespaced: len(namespaces) > 1}
	if opts.Follow {
		g, gctx := errgroup.WithContext(ctx)
		for _, ns := range namespaces {
			g.Go(func() error { return s.follow(gctx, ns, match) })
		}
		return g.Wait()
	}
	var errs []error
	for _, ns := range namespaces {
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("listing pods in %s: %w", ns, err))
			continue
		}
		pods := list.Items
		sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
		for i := range pods {
			p := &pods[i]
			if !match(p) || !started(p) {
				continue
			}
			for _, c := range s.containers(p) {
				if err := s.copy(ctx, p, c, false); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// started reports whether any container of pod has started, so that it
// has logs to read.
func started(pod *corev1.Pod) bool {
	for _, c := range pod.Status.ContainerStatuses {
		if c.State.Running != nil || c.State.Terminated != nil || c.RestartCount > 0 {
			return true
		}
	}
	return false
}
