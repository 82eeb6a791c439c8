package podlogs

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func runningPod(name string, containers ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{"app": "web"}}}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}})
	}
	return p
}

// TestStreamPrefixesEveryLine reads, in pod order, every started container
// of the pods that match, each line whole and prefixed; a pod that has not
// started, and one that does not match, are left out. (The fake client's
// logs are the text "fake logs", with no newline.)
func TestStreamPrefixesEveryLine(t *testing.T) {
	waiting := runningPod("web-c", "api")
	waiting.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	other := runningPod("other", "api")
	other.Labels = nil
	cs := fake.NewSimpleClientset(runningPod("web-b", "api", "talker"), runningPod("web-a", "api"), waiting, other)
	match := func(p *corev1.Pod) bool { return p.Labels["app"] == "web" }
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"all containers", Options{}, "pod/web-a api fake logs\npod/web-b api fake logs\npod/web-b talker fake logs\n"},
		{"one container", Options{Container: "talker"}, "pod/web-b talker fake logs\n"},
		{"own prefix", Options{Container: "talker", Prefix: func(p, c string) string { return p + "|" + c + "| " }}, "web-b|talker| fake logs\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.opts.Out, tt.opts.Tail = &out, -1
			if err := Stream(context.Background(), cs, []string{"ns"}, match, tt.opts); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFollowTellsEventsOneAtATime follows pods in two namespaces that
// appear at once: their events are told one at a time, as a printer that
// is not safe for concurrent use needs, and the lines of both are read.
func TestFollowTellsEventsOneAtATime(t *testing.T) {
	cs := fake.NewSimpleClientset()
	// Each namespace's informer watches once it has listed; the pods come
	// through those watches, so that they are ones that appeared.
	type nsWatch struct {
		ns string
		w  *watch.FakeWatcher
	}
	watching := make(chan nsWatch, 4)
	cs.PrependWatchReactor("pods", func(a k8stesting.Action) (bool, watch.Interface, error) {
		w := watch.NewFakeWithChanSize(16, false)
		select {
		case watching <- nsWatch{a.GetNamespace(), w}:
		default:
		}
		return true, w, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var inFlight, overlaps, followed atomic.Int32
	var out safeBuffer
	opts := Options{Follow: true, Tail: -1, Out: &out, OnEvent: func(e Event) {
		if inFlight.Add(1) > 1 {
			overlaps.Add(1)
		}
		time.Sleep(20 * time.Millisecond)
		if e.Type == PodFollowed {
			followed.Add(1)
		}
		inFlight.Add(-1)
	}}
	done := make(chan error, 1)
	go func() { done <- Stream(ctx, cs, []string{"a", "b"}, func(*corev1.Pod) bool { return true }, opts) }()
	watchers := map[string]*watch.FakeWatcher{}
	for range 2 {
		select {
		case w := <-watching:
			watchers[w.ns] = w.w
		case <-time.After(10 * time.Second):
			t.Fatal("the informers did not start watching")
		}
	}
	for i := range 4 {
		for _, ns := range []string{"a", "b"} {
			p := runningPod(fmt.Sprintf("web-%d", i), "api")
			p.Namespace, p.UID = ns, types.UID(ns+p.Name)
			watchers[ns].Add(p)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	// Until every pod is followed and read: an earlier end stops a stream
	// before its line, as it should.
	for (followed.Load() < 8 || strings.Count(out.String(), "fake logs\n") < 8) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if followed.Load() != 8 || overlaps.Load() > 0 {
		t.Errorf("followed %d of 8 pods; %d events were told while another was", followed.Load(), overlaps.Load())
	}
	if n := strings.Count(out.String(), "fake logs\n"); n != 8 {
		t.Errorf("read %d streams, want 8:\n%s", n, out.String())
	}
	// Pods of two namespaces may share a name: each is named with its own.
	for _, want := range []string{"pod/a/web-0 api fake logs\n", "pod/b/web-0 api fake logs\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no line %q:\n%s", want, out.String())
		}
	}
}

// safeBuffer is a bytes.Buffer for concurrent writers.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
