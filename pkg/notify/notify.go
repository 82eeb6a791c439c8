// Package notify announces deploys to a team's chat and tools: it turns
// the engine's events into Slack messages and generic JSON webhook
// documents at the start, success, failure and rollback of a deploy, and
// posts them in order, in the background. A notification that cannot be
// delivered is reported, never an error of the deploy; a webhook's URL,
// which is a credential, is never in what it reports.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kship/kship/pkg/config"
	"github.com/kship/kship/pkg/event"
)

// Timeout bounds each delivery.
const Timeout = 5 * time.Second

// Document is what a generic webhook receives, as JSON.
type Document struct {
	// Event is "start", "success", "failure" or "rollback".
	Event string `json:"event"`
	// Environment is the environment's name in kship.yaml.
	Environment string `json:"environment"`
	// Cluster names the cluster, for an environment of several.
	Cluster string `json:"cluster,omitempty"`
	// Target is ENVIRONMENT or ENVIRONMENT/CLUSTER.
	Target string `json:"target"`
	// Revision is the deploy's (the failed one's, for a rollback).
	Revision int `json:"revision,omitempty"`
	// By is who deploys; Images the build's container images.
	By     string   `json:"by,omitempty"`
	Images []string `json:"images,omitempty"`
	// DurationSeconds is how long the deploy (or rollback) took.
	DurationSeconds float64 `json:"durationSeconds,omitempty"`
	// Error and Cause say why a deploy failed: the error, and the first
	// failed object with its reason.
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
	// RolledBackTo is the revision a rollback returned to; RollbackFailed
	// is set when it did not.
	RolledBackTo   int  `json:"rolledBackTo,omitempty"`
	RollbackFailed bool `json:"rollbackFailed,omitempty"`
	// Time is when the event happened (RFC 3339, UTC).
	Time string `json:"time"`
}

// Options configure a Notifier.
type Options struct {
	// Environment is the environment's name.
	Environment string
	// Getenv reads the variables hooks name (default os.Getenv).
	Getenv func(string) string
	// Client posts (default: an http.Client with Timeout).
	Client *http.Client
	// OnWarning, when set, receives a line for each notification that was
	// not delivered.
	OnWarning func(string)
}

// Notifier sends the notifications of one command's deploys.
type Notifier struct {
	hooks []config.Notify
	opts  Options
	queue chan message
	done  chan struct{}
	once  sync.Once
	// started holds, per cluster, the last start, for the rollback's
	// document; running the deploys not yet done, and pending the
	// rollbacks announced once they are.
	mu      sync.Mutex
	started map[string]event.Event
	running map[string]bool
	pending map[string][]Document
	closed  bool
}

type message struct {
	hook config.Notify
	doc  Document
}

// New returns a Notifier for hooks; nil when there are none.
func New(hooks []config.Notify, opts Options) *Notifier {
	if len(hooks) == 0 {
		return nil
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Client == nil {
		// A redirect is not followed: it would turn the POST into a GET
		// that "succeeds", or send the document elsewhere.
		opts.Client = &http.Client{Timeout: Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	n := &Notifier{hooks: hooks, opts: opts, queue: make(chan message, 64), done: make(chan struct{}), started: map[string]event.Event{},
		running: map[string]bool{}, pending: map[string][]Document{}}
	go n.send()
	return n
}

// Event takes one event of the engine; those that announce something are
// queued for every hook that wants them. A dry run announces nothing.
func (n *Notifier) Event(e event.Event) {
	if n == nil || e.DryRun {
		return
	}
	doc, ok := n.document(e)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	switch {
	case doc.Event == config.NotifyRollback && n.running[e.Cluster]:
		// The rollback after a failed deploy comes before the deploy
		// ends: it is announced after the failure.
		n.pending[e.Cluster] = append(n.pending[e.Cluster], doc)
		return
	case doc.Event == config.NotifyStart:
		n.running[e.Cluster] = true
	case e.Type == event.DeployDone:
		delete(n.running, e.Cluster)
	}
	n.enqueue(doc)
	if e.Type == event.DeployDone {
		for _, d := range n.pending[e.Cluster] {
			n.enqueue(d)
		}
		delete(n.pending, e.Cluster)
	}
}

// enqueue queues doc for the hooks that want it, never blocking the
// deploy: when deliveries fall that far behind, the notification is
// dropped, with a warning.
func (n *Notifier) enqueue(doc Document) {
	for _, h := range n.hooks {
		if !h.Hook().Sends(doc.Event) {
			continue
		}
		select {
		case n.queue <- message{hook: h, doc: doc}:
		default:
			n.warn(fmt.Sprintf("notification %s (%s, to $%s) dropped: %d are still being delivered", doc.Event, h.Kind(), h.Hook().URLFrom, cap(n.queue)))
		}
	}
}

func (n *Notifier) document(e event.Event) (Document, bool) {
	doc := Document{Environment: n.opts.Environment, Cluster: e.Cluster, Target: e.Target, Revision: e.Revision, By: e.By,
		Images: e.Images, Time: time.Now().UTC().Format(time.RFC3339)}
	n.mu.Lock()
	defer n.mu.Unlock()
	key := e.Cluster // one deploy at a time per cluster
	switch e.Type {
	case event.DeployStarted:
		doc.Event = config.NotifyStart
		n.started[key] = e
	case event.DeployDone:
		doc.Event, doc.DurationSeconds = config.NotifySuccess, e.Elapsed.Seconds()
		if e.Error != "" {
			doc.Event, doc.Error, doc.Cause = config.NotifyFailure, e.Error, e.Cause
		}
	case event.RollbackDone, event.RollbackFailed:
		s := n.started[key]
		doc.Event, doc.Target, doc.By, doc.Images = config.NotifyRollback, s.Target, s.By, nil
		doc.Revision = e.Failed
		if e.Type == event.RollbackDone {
			doc.RolledBackTo = e.Revision
		} else {
			doc.RollbackFailed, doc.Error = true, e.Error
		}
	default:
		return doc, false
	}
	if doc.Target == "" {
		doc.Target = n.opts.Environment
	}
	return doc, true
}

// Close waits until what was queued is delivered, or ctx ends; call it
// once the deploy is over.
func (n *Notifier) Close(ctx context.Context) {
	if n == nil {
		return
	}
	n.once.Do(func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		for _, docs := range n.pending {
			for _, d := range docs {
				n.enqueue(d)
			}
		}
		n.closed = true
		close(n.queue)
	})
	select {
	case <-n.done:
	case <-ctx.Done():
		n.warn(fmt.Sprintf("notifications: stopped waiting for delivery (%v)", context.Cause(ctx)))
	}
}

// send delivers the queue in order, one message at a time.
func (n *Notifier) send() {
	defer close(n.done)
	for m := range n.queue {
		if err := n.post(m); err != nil {
			n.warn(fmt.Sprintf("notification %s (%s, to $%s) not delivered: %v", m.doc.Event, m.hook.Kind(), m.hook.Hook().URLFrom, err))
		}
	}
}

func (n *Notifier) warn(line string) {
	if n.opts.OnWarning != nil {
		n.opts.OnWarning(line)
	}
}

func (n *Notifier) post(m message) error {
	h := m.hook.Hook()
	raw := n.opts.Getenv(h.URLFrom)
	if raw == "" {
		return fmt.Errorf("$%s is not set: set it to the webhook's URL (a CI secret)", h.URLFrom)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("$%s is not an http(s) URL", h.URLFrom)
	}
	var body any = m.doc
	if m.hook.Slack != nil {
		body = slackMessage(m.doc)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, raw, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("$%s: %s", h.URLFrom, scrub(err, raw))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.opts.Client.Do(req)
	if err != nil {
		return errors.New(scrub(err, raw))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the server answered %s", resp.Status)
	}
	return nil
}

// scrub is err's text without the URL, or any part of it past the host
// (where a webhook's token is).
func scrub(err error, raw string) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	text := strings.ReplaceAll(err.Error(), raw, "(the URL)")
	if u, perr := url.Parse(raw); perr == nil {
		for _, secret := range []string{u.RawQuery, u.EscapedPath(), u.User.String(), u.Host, u.Hostname()} {
			if len(secret) > 1 {
				text = strings.ReplaceAll(text, secret, "***")
			}
		}
	}
	return text
}
