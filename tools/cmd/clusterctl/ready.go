package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

const pollInterval = 100 * time.Millisecond

// A check returns what is not ready yet, or "" when all is well.
type check func(context.Context) string

// waitReady waits for the API server, the default ServiceAccount and nodes.
func waitReady(ctx context.Context, cs kubernetes.Interface, nodes int) error {
	steps := []struct {
		what  string
		check check
	}{
		{"kube-apiserver /readyz", func(ctx context.Context) string { return apiserverNotReady(ctx, cs) }},
		{`ServiceAccount "default" in namespace "default"`, func(ctx context.Context) string {
			_, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				return "not created yet (is kube-controller-manager running?)"
			case err != nil:
				return err.Error()
			}
			return ""
		}},
		{fmt.Sprintf("%d Ready kwok nodes", nodes), func(ctx context.Context) string { return nodesNotReady(ctx, cs, nodes) }},
	}
	for _, s := range steps {
		if err := poll(ctx, s.what, s.check); err != nil {
			return err
		}
	}
	return nil
}

// waitAPIServer waits until the API server's /readyz passes.
func waitAPIServer(ctx context.Context, cs kubernetes.Interface) error {
	return poll(ctx, "kube-apiserver /readyz", func(ctx context.Context) string { return apiserverNotReady(ctx, cs) })
}

// apiserverNotReady returns what keeps /readyz from passing: the failing
// checks, or the error of the request.
func apiserverNotReady(ctx context.Context, cs kubernetes.Interface) string {
	body, err := cs.CoreV1().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err == nil {
		return ""
	}
	var failing []string
	for line := range strings.Lines(string(body)) {
		if name, ok := strings.CutPrefix(line, "[-]"); ok {
			failing = append(failing, strings.Fields(name)[0])
		}
	}
	if len(failing) > 0 {
		return "failing checks: " + strings.Join(failing, ", ")
	}
	return err.Error()
}

func nodesNotReady(ctx context.Context, cs kubernetes.Interface, want int) string {
	if want == 0 {
		return ""
	}
	list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err.Error()
	}
	ready := 0
	for _, n := range list.Items {
		if n.Annotations[kwokNodeAnnotation] != kwokNodeValue {
			continue
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	if ready < want {
		return fmt.Sprintf("%d of %d Ready (is kwok running?)", ready, want)
	}
	return ""
}

// poll runs check until it passes, reporting on stderr what it waits for
// when that changes after the first two seconds.
func poll(ctx context.Context, what string, check check) error {
	start := time.Now()
	var problem string
	for {
		p := check(ctx)
		if p == "" {
			return nil
		}
		if p != problem && time.Since(start) > 2*time.Second {
			fmt.Fprintf(os.Stderr, "clusterctl: waiting for %s: %s\n", what, p)
		}
		problem = p
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("timed out after %s waiting for %s: %s", time.Since(start).Round(time.Second), what, problem)
			}
			return ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}
