package kube

import (
	"fmt"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/client-go/util/flowcontrol"
)

// Options says which cluster to talk to.
type Options struct {
	// Kubeconfig is a kubeconfig path; empty means $KUBECONFIG or ~/.kube/config.
	Kubeconfig string
	// KubeconfigData, when not nil, is the kubeconfig itself (one
	// decrypted in memory), used instead of Kubeconfig.
	KubeconfigData []byte
	// Context is the kube context; empty means the kubeconfig's current one.
	Context string
	// Retry says how long failed requests are retried; nil means
	// DefaultRetry.
	Retry *Retry
}

// Client holds the clients for one cluster.
type Client struct {
	// Context is the kube context in use.
	Context string
	// Server is the API server URL of that context.
	Server string
	// Namespace is the namespace the context names, "" when it names none.
	Namespace string
	// Config is the REST config, unthrottled.
	Config *rest.Config
	// Dynamic talks to any resource.
	Dynamic dynamic.Interface
	// Metadata lists and watches object metadata only.
	Metadata metadata.Interface
	// Typed is the typed clientset for built-in kinds.
	Typed kubernetes.Interface
	// Mapper maps kinds to resources, from the cluster's discovery.
	Mapper *Mapper
}

// Raw returns the merged kubeconfig for opts, without connecting.
func Raw(opts Options) (api.Config, error) {
	return loader(opts).RawConfig()
}

// loader reads the kubeconfig opts name, from memory or from files.
func loader(opts Options) clientcmd.ClientConfig {
	if opts.KubeconfigData == nil {
		return flags(opts).ToRawKubeConfigLoader()
	}
	raw, err := clientcmd.Load(opts.KubeconfigData)
	if err != nil {
		return brokenConfig{err}
	}
	return clientcmd.NewDefaultClientConfig(*raw, &clientcmd.ConfigOverrides{CurrentContext: opts.Context})
}

// restConfig is the REST config of the context opts select.
func restConfig(opts Options) (*rest.Config, error) {
	f := flags(opts)
	if opts.KubeconfigData == nil {
		return f.ToRESTConfig()
	}
	cfg, err := loader(opts).ClientConfig()
	if err != nil {
		return nil, err
	}
	return f.WrapConfigFn(cfg), nil
}

// brokenConfig is a kubeconfig that could not be parsed.
type brokenConfig struct{ err error }

func (b brokenConfig) RawConfig() (api.Config, error)       { return api.Config{}, b.err }
func (b brokenConfig) ClientConfig() (*rest.Config, error)  { return nil, b.err }
func (b brokenConfig) Namespace() (string, bool, error)     { return "", false, b.err }
func (b brokenConfig) ConfigAccess() clientcmd.ConfigAccess { return nil }

// CurrentContext returns the context opts select: opts.Context or the
// kubeconfig's current-context.
func CurrentContext(opts Options) (string, error) {
	if opts.Context != "" {
		return opts.Context, nil
	}
	raw, err := Raw(opts)
	if err != nil {
		return "", err
	}
	return raw.CurrentContext, nil
}

// New connects to the cluster opts select.
func New(opts Options) (*Client, error) {
	name, err := CurrentContext(opts)
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig: %w", err)
	}
	cfg, err := restConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("kube context %q: %w", name, err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kube context %q: %w", name, err)
	}
	c := &Client{Context: name, Server: cfg.Host, Config: cfg, Mapper: NewMapper(disc)}
	if raw, err := Raw(opts); err == nil && raw.Contexts[name] != nil {
		c.Namespace = raw.Contexts[name].Namespace
	}
	return c, c.connect()
}

// Derive returns a client for the same cluster whose REST config is c's
// changed by change (e.g. a transport wrapper); it shares c's Mapper.
func (c *Client) Derive(change func(*rest.Config)) (*Client, error) {
	cfg := rest.CopyConfig(c.Config)
	change(cfg)
	d := &Client{Context: c.Context, Server: c.Server, Namespace: c.Namespace, Config: cfg, Mapper: c.Mapper}
	return d, d.connect()
}

// connect makes the clients of c.Config.
func (c *Client) connect() error {
	var err error
	if c.Dynamic, err = dynamic.NewForConfig(c.Config); err != nil {
		return err
	}
	if c.Metadata, err = metadata.NewForConfig(c.Config); err != nil {
		return err
	}
	c.Typed, err = kubernetes.NewForConfig(c.Config)
	return err
}

func flags(opts Options) *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(true)
	if opts.Kubeconfig != "" {
		f.KubeConfig = &opts.Kubeconfig
	}
	if opts.Context != "" {
		f.Context = &opts.Context
	}
	policy := DefaultRetry
	if opts.Retry != nil {
		policy = *opts.Retry
	}
	o := &outage{}
	f.WrapConfigFn = func(c *rest.Config) *rest.Config {
		// client-go's default 5 QPS would cap a deploy at a few objects a
		// second; the API server's priority and fairness protects itself.
		c.RateLimiter = flowcontrol.NewFakeAlwaysRateLimiter()
		c.QPS, c.Burst = -1, -1
		c.UserAgent = "kship"
		c.WarningHandler = rest.NoWarnings{}
		c.Wrap(wrapper(c.Host, policy, o))
		return c
	}
	return f
}
