package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/status"
	"github.com/kship/kship/pkg/wait"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	watchpkg "k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
)

// noticeRollouts is how many Deployments the notice measurement rolls out.
const noticeRollouts = 10

// Reporter is a Group that also measures something other than process
// timings; main prints its report after the table.
type Reporter interface {
	Report(ctx context.Context, env *Env) (string, error)
}

// Report measures how long kship's wait takes to notice that a Deployment
// became ready, after a bare watch on the API server saw it: the delay a
// deploy adds on top of the rollout itself. Polling tools add their poll
// interval (1-5 s) here.
func (g *applyGroup) Report(ctx context.Context, _ *Env) (string, error) {
	const ns = "kship-bench-notice"
	cs := g.clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	defer func() { _ = cs.CoreV1().Namespaces().Delete(context.WithoutCancel(ctx), ns, metav1.DeleteOptions{}) }()
	client, err := kube.New(kube.Options{Kubeconfig: g.cluster.Kubeconfig(), Context: g.cluster.Context()})
	if err != nil {
		return "", err
	}
	engine, err := g.engineReport(ctx, client, g.manifest)
	if err != nil {
		return "", err
	}
	var lags, rollouts []time.Duration
	for i := range noticeRollouts {
		lag, took, err := noticeOnce(ctx, client, ns, fmt.Sprintf("notice-%d", i))
		if err != nil {
			return "", err
		}
		lags, rollouts = append(lags, lag), append(rollouts, took)
	}
	slices.Sort(lags)
	return engine + "\n" + fmt.Sprintf("notice latency: a Deployment's readiness seen by kship's wait %s (median) / %s (max) after a bare watch saw it, over %d rollouts of %s (median) each",
		fmtDuration(median(lags)), fmtDuration(lags[len(lags)-1]), len(lags), fmtDuration(median(rollouts))), nil
}

// noticeOnce creates a Deployment and returns how long after a bare watch
// saw it ready kship's wait reported it Current, and how long the rollout took.
func noticeOnce(ctx context.Context, client *kube.Client, ns, name string) (lag, took time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	deployments := client.Typed.AppsV1().Deployments(ns)
	w, err := deployments.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		return 0, 0, err
	}
	defer w.Stop()
	stub := &unstructured.Unstructured{}
	stub.SetAPIVersion("apps/v1")
	stub.SetKind("Deployment")
	stub.SetNamespace(ns)
	stub.SetName(name)

	var mu sync.Mutex
	var sawWatch, sawKship time.Time
	go func() {
		for ev := range w.ResultChan() {
			if ev.Type != watchpkg.Modified && ev.Type != watchpkg.Added {
				continue
			}
			u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ev.Object)
			if err != nil {
				continue
			}
			// Typed watch events carry no apiVersion and kind.
			u["apiVersion"], u["kind"] = "apps/v1", "Deployment"
			if status.Compute(&unstructured.Unstructured{Object: u}).Status == status.Current {
				mu.Lock()
				if sawWatch.IsZero() {
					sawWatch = time.Now()
				}
				mu.Unlock()
			}
		}
	}()
	waited := make(chan error, 1)
	go func() {
		_, err := wait.Wait(ctx, client, []*unstructured.Unstructured{stub}, wait.Options{OnUpdate: func(u wait.Update) {
			if u.Status == status.Current {
				mu.Lock()
				sawKship = time.Now()
				mu.Unlock()
			}
		}})
		waited <- err
	}()
	time.Sleep(100 * time.Millisecond) // let both watches start
	start := time.Now()
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:v1"}}},
			},
		},
	}
	if _, err := deployments.Create(ctx, d, metav1.CreateOptions{}); err != nil {
		return 0, 0, err
	}
	if err := <-waited; err != nil {
		return 0, 0, fmt.Errorf("waiting for Deployment %s/%s: %w", ns, name, err)
	}
	time.Sleep(50 * time.Millisecond) // the bare watch may deliver a moment later
	mu.Lock()
	defer mu.Unlock()
	if sawWatch.IsZero() || sawKship.IsZero() {
		return 0, 0, fmt.Errorf("Deployment %s/%s: readiness not observed by both watches", ns, name)
	}
	return max(0, sawKship.Sub(sawWatch)), sawWatch.Sub(start), nil
}
