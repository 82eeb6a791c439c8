package main

import (
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// client is an identity in the static token file and the kubeconfig it gets.
type client struct {
	user       string
	groups     []string
	kubeconfig string // path relative to the state dir
}

// The admin client comes first; its kubeconfig carries the caller's context name.
var clients = []client{
	{user: "kship-admin", groups: []string{"system:masters"}, kubeconfig: "kubeconfig"},
	{user: "system:kube-controller-manager", kubeconfig: "kubeconfigs/kube-controller-manager.kubeconfig"},
	{user: "system:kube-scheduler", kubeconfig: "kubeconfigs/kube-scheduler.kubeconfig"},
	// kwok patches node and pod status, writes events and leases and applies
	// whatever its stages render, so it gets full access like a cluster admin.
	{user: "kwok-controller", groups: []string{"system:masters"}, kubeconfig: "kubeconfigs/kwok.kubeconfig"},
}

// ensureTokens returns a token per client user, reusing the token file at path
// when it has one for every user and writing a new one otherwise.
func ensureTokens(path string) (map[string]string, error) {
	tokens, err := readTokens(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	complete := err == nil
	for _, c := range clients {
		if tokens[c.user] == "" {
			complete = false
		}
	}
	if complete {
		return tokens, nil
	}

	tokens = make(map[string]string, len(clients))
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, c := range clients {
		raw := make([]byte, 24)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		tokens[c.user] = hex.EncodeToString(raw)
		// token,user,uid,"group1,group2" as kube-apiserver's --token-auth-file expects.
		if err := w.Write([]string{tokens[c.user], c.user, c.user, strings.Join(c.groups, ",")}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return tokens, writeFileAtomic(path, []byte(b.String()), 0o600)
}

func readTokens(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	tokens := make(map[string]string, len(records))
	for _, rec := range records {
		if len(rec) >= 2 {
			tokens[rec[1]] = rec[0]
		}
	}
	return tokens, nil
}

// writeKubeconfigs writes one kubeconfig per client, each with a single
// context; the admin's is named after context, the others after their user.
func writeKubeconfigs(dir, server, context string, caPEM []byte, tokens map[string]string) error {
	for i, c := range clients {
		name := c.user
		if i == 0 {
			name = context
		}
		cfg := clientcmdapi.NewConfig()
		cfg.Clusters[name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: tokens[c.user]}
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: "default"}
		cfg.CurrentContext = name
		data, err := clientcmd.Write(*cfg)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, c.kubeconfig)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := writeFileAtomic(path, data, 0o600); err != nil {
			return fmt.Errorf("kubeconfig %s: %w", path, err)
		}
	}
	return nil
}
