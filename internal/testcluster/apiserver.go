package testcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/clientcmd/api"
)

// APIServer is a kube-apiserver of one test's own, serving the local
// cluster's etcd with its PKI on another port: a test can kill and restart
// it without disturbing the tests that share the cluster's API server.
// Objects written through either server are seen through both, and the
// cluster's controllers and fake nodes act on them.
type APIServer struct {
	t          testing.TB
	url        string
	kubeconfig string
	user       string
	args       []string
	log        string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// apiServerReady bounds how long a (re)start may take to pass /readyz.
const apiServerReady = 90 * time.Second

// PrivateAPIServer starts a kube-apiserver for t with the same binary and
// flags as the local cluster's, on a free port, and stops it when t ends.
// It fails t when the cluster's own API server was not started by up.sh in
// this repository (KSHIP_KUBECONFIG), since its flags are then unknown.
func (c *Cluster) PrivateAPIServer(t testing.TB) *APIServer {
	t.Helper()
	args, err := c.apiServerArgs()
	if err != nil {
		t.Fatalf("private kube-apiserver: %v", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args = withFlag(withFlag(args, "secure-port", strconv.Itoa(port)), "cert-dir", filepath.Join(dir, "certs"))
	token := randomToken()
	if args, err = withUser(args, dir, token); err != nil {
		t.Fatal(err)
	}
	s := &APIServer{t: t, url: fmt.Sprintf("https://127.0.0.1:%d", port), args: args, log: filepath.Join(dir, "kube-apiserver.log")}
	if s.kubeconfig, err = c.kubeconfigFor(s.url, filepath.Join(dir, "kubeconfig"), ""); err != nil {
		t.Fatal(err)
	}
	if s.user, err = c.kubeconfigFor(s.url, filepath.Join(dir, "user.kubeconfig"), token); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			b, _ := os.ReadFile(s.log)
			t.Logf("last lines of the private kube-apiserver's log:\n%s", tail(string(b), 20))
		}
	})
	s.Start()
	return s
}

// URL returns the server's address, https://127.0.0.1:PORT.
func (s *APIServer) URL() string { return s.url }

// Kubeconfig returns the path of an admin kubeconfig for this server, with
// the cluster's context name (ContextName).
func (s *APIServer) Kubeconfig() string { return s.kubeconfig }

// PrivateUser and PrivateGroup name the user of UserKubeconfig, whom only
// private API servers know.
const (
	PrivateUser  = "kship-test-ci"
	PrivateGroup = "kship:test-ci"
)

// UserKubeconfig returns the path of a kubeconfig for this server as
// PrivateUser, who, unlike the admin, is not in system:masters: RBAC decides
// what it may do (bind PrivateGroup to a role first), so that a request
// right after a restart meets an authorizer that is still loading its
// rules, as a CI job's service account would.
func (s *APIServer) UserKubeconfig() string { return s.user }

// Start starts the server, if it is not running, and returns once it
// passes /readyz.
func (s *APIServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	log, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(s.args[0], s.args[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	// Killed with the test process, should it die without cleaning up.
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting the private kube-apiserver: %v", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(s.done)
	if err := s.waitReady(s.done); err != nil {
		s.t.Fatalf("private kube-apiserver at %s: %v (log: %s)", s.url, err, s.log)
	}
}

// Stop kills the server, as a crash would (SIGKILL: no graceful shutdown,
// connections reset), and returns once it has exited.
func (s *APIServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

func (s *APIServer) waitReady(exited <-chan struct{}) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", s.kubeconfig)
	if err != nil {
		return err
	}
	cfg.Timeout = 5 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), apiServerReady)
	defer cancel()
	for {
		_, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("exited during startup")
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s: %v", apiServerReady, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// apiServerArgs reads the command line of the cluster's running
// kube-apiserver, whose PID up.sh records next to the kubeconfig.
func (c *Cluster) apiServerArgs() ([]string, error) {
	pidFile := filepath.Join(filepath.Dir(c.kubeconfig), "pids", "kube-apiserver.pid")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return nil, fmt.Errorf("the cluster's kube-apiserver was not started by %s here: %w", upScript, err)
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strings.TrimSpace(string(b)), "cmdline"))
	if err != nil {
		return nil, fmt.Errorf("reading the cluster's kube-apiserver command line: %w", err)
	}
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	if len(args) < 2 || filepath.Base(args[0]) != "kube-apiserver" {
		return nil, fmt.Errorf("PID in %s is not a kube-apiserver: %q", pidFile, args)
	}
	return args, nil
}

// withFlag sets --name=value in args, replacing the flag if present.
func withFlag(args []string, name, value string) []string {
	out := []string{args[0]}
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "--"+name+"=") {
			out = append(out, a)
		}
	}
	return append(out, "--"+name+"="+value)
}

// kubeconfigFor writes to path a copy of the cluster's kubeconfig that
// points at server, and, when token is set, authenticates with it.
func (c *Cluster) kubeconfigFor(server, path, token string) (string, error) {
	raw, err := clientcmd.LoadFromFile(c.kubeconfig)
	if err != nil {
		return "", err
	}
	for _, cl := range raw.Clusters {
		cl.Server = server
	}
	if token != "" {
		for name := range raw.AuthInfos {
			raw.AuthInfos[name] = &api.AuthInfo{Token: token}
		}
	}
	return path, clientcmd.WriteToFile(*raw, path)
}

// withUser gives the server a copy of the cluster's token file with
// PrivateUser added, authenticated by token.
func withUser(args []string, dir, token string) ([]string, error) {
	var src string
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--token-auth-file="); ok {
			src = v
		}
	}
	if src == "" {
		return nil, errors.New("the cluster's kube-apiserver has no --token-auth-file")
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	line := fmt.Sprintf("%s,%s,%s,%s\n", token, PrivateUser, PrivateUser, PrivateGroup)
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, append(b, line...), 0o600); err != nil {
		return nil, err
	}
	return withFlag(args, "token-auth-file", tokens), nil
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
