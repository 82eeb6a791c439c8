package testcluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// components are up.sh's, in start order (tools/cluster/lib.sh).
var components = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "podrefs"}

// TestUpRestartsOnlyDeadComponents kills components of a cluster of its own
// (its own state directory and ports: killing a component of the shared
// cluster would break the tests running beside this one), runs up.sh, and
// checks that only the dead components were started again, that what the
// cluster held is still there, and that the cluster works.
func TestUpRestartsOnlyDeadComponents(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of its own")
	}
	t.Parallel()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	own := newOwnCluster(t, root)
	if out, err := own.up(); err != nil {
		if required() {
			t.Fatalf("up.sh: %v\n%s", err, out)
		}
		t.Skipf("no cluster of its own (up.sh failed): %v\n%s", err, tail(out, 20))
	}
	c, err := load(filepath.Join(own.dir, "kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "survivor"}, Data: map[string]string{"k": "v"}}
	if _, err := c.clientset.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	for _, dead := range [][]string{{"etcd"}, {"kube-apiserver", "kwok"}, {"kube-controller-manager", "podrefs"}} {
		before := own.pids(t)
		for _, name := range dead {
			own.kill(t, name, before[name])
		}
		out, err := own.up()
		if err != nil {
			t.Fatalf("up.sh after killing %s: %v\n%s", strings.Join(dead, ", "), err, out)
		}
		if want := "restarting " + strings.Join(dead, " "); !strings.Contains(out, want) || strings.Contains(out, "starting afresh") {
			t.Errorf("up.sh after killing %s did not restart only them; output:\n%s", strings.Join(dead, ", "), out)
		}
		after := own.pids(t)
		for _, name := range components {
			killed := contains(dead, name)
			if same := after[name] == before[name]; same == killed {
				t.Errorf("%s: pid %d before, %d after; want it changed only if it was killed (%v)", name, before[name], after[name], killed)
			}
		}
		if err := probe(ctx, c.clientset); err != nil {
			t.Fatalf("after restarting %s: %v", strings.Join(dead, ", "), err)
		}
		got, err := c.clientset.CoreV1().ConfigMaps("default").Get(ctx, "survivor", metav1.GetOptions{})
		if err != nil || got.Data["k"] != "v" {
			t.Fatalf("after restarting %s, the ConfigMap created before is gone: %v", strings.Join(dead, ", "), err)
		}
	}
	own.podRuns(t, c)
}

// ownCluster is a cluster with its own state directory and ports.
type ownCluster struct {
	root, dir string
	env       []string
}

func newOwnCluster(t *testing.T, root string) *ownCluster {
	t.Helper()
	o := &ownCluster{root: root, dir: t.TempDir()}
	o.env = append(os.Environ(), EnvClusterDir+"="+o.dir, "KSHIP_CLUSTER_NODES=1")
	for _, v := range []string{"KSHIP_ETCD_PORT", "KSHIP_ETCD_PEER_PORT", "KSHIP_APISERVER_PORT",
		"KSHIP_CONTROLLER_MANAGER_PORT", "KSHIP_SCHEDULER_PORT", "KSHIP_KWOK_PORT"} {
		o.env = append(o.env, v+"="+strconv.Itoa(port(t)))
	}
	t.Cleanup(func() {
		if out, err := o.script("tools/cluster/down.sh"); err != nil {
			t.Errorf("down.sh: %v\n%s", err, out)
		}
	})
	return o
}

func (o *ownCluster) up() (string, error) { return o.script(upScript) }

func (o *ownCluster) script(path string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(o.root, path))
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = o.root, o.env, &out, &out
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	return out.String(), err
}

// pids reads the pid file of every component.
func (o *ownCluster) pids(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, name := range components {
		b, err := os.ReadFile(filepath.Join(o.dir, "pids", name+".pid"))
		if err != nil {
			t.Fatal(err)
		}
		if out[name], err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
			t.Fatalf("pid file of %s: %v", name, err)
		}
	}
	return out
}

// kill kills a component as a crash would, and waits until it is gone.
func (o *ownCluster) kill(t *testing.T, name string, pid int) {
	t.Helper()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(cmdline), o.dir+"/") {
		t.Fatalf("pid %d of %s is not this cluster's %s: %v", pid, name, name, err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		// A killed process not yet reaped has an empty command line.
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err != nil || len(b) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s (pid %d) did not die", name, pid)
}

// podRuns checks the restarted cluster schedules and starts a pod.
func (o *ownCluster) podRuns(t *testing.T, c *Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "after-restart"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}}}
	if _, err := c.clientset.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		p, err := c.clientset.CoreV1().Pods("default").Get(ctx, pod.Name, metav1.GetOptions{})
		if err == nil {
			for _, cond := range p.Status.Conditions {
				if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue {
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the pod did not become ready on the restarted cluster: %v %+v", err, p.Status)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// port returns a port of 127.0.0.1 that nothing listens on right now.
func port(t *testing.T) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
