package apply

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WebhookError says that an admission webhook refused the object, or could
// not be called, naming the webhook configuration that declares it and
// where it is served, and what to check.
type WebhookError struct {
	// Webhook is the webhook's name, as the API server gave it.
	Webhook string
	// Configuration is "ValidatingWebhookConfiguration NAME" (or Mutating),
	// "" when kship could not find or read it.
	Configuration string
	// Service is "namespace/name:port", or the URL, the webhook is served at.
	Service string
	// FailurePolicy is the webhook's ("Fail" or "Ignore").
	FailurePolicy string
	// Denied is true when the webhook answered and said no; false when the
	// API server could not call it.
	Denied bool
	// Cause is the API server's message.
	Cause string
}

func (e *WebhookError) Error() string {
	where := ""
	if e.Configuration != "" {
		where = " of " + e.Configuration
	}
	if e.Denied {
		return fmt.Sprintf("denied by admission webhook %q%s: %s\n  The webhook's owner decides what it admits: change the object, or ask them why it refuses it.", e.Webhook, where, e.Cause)
	}
	msg := fmt.Sprintf("admission webhook %q%s could not be called", e.Webhook, where)
	if e.Service != "" {
		msg += " at " + e.Service
	}
	msg += ": " + e.Cause
	if strings.Contains(e.Service, "/") && !strings.Contains(e.Service, "://") {
		ns, rest, _ := strings.Cut(e.Service, "/")
		name, _, _ := strings.Cut(rest, ":")
		msg += fmt.Sprintf("\n  Check that Service %s/%s exists and has ready endpoints (kubectl get endpointslices -n %s -l kubernetes.io/service-name=%s).", ns, name, ns, name)
	} else {
		msg += "\n  Check that the webhook's server is up and reachable from the API server."
	}
	if e.Configuration != "" {
		msg += fmt.Sprintf("\n  If the app that served it was uninstalled, delete %s: with failurePolicy %s the API server refuses every object it matches while it cannot be called.", e.Configuration, orFail(e.FailurePolicy))
	}
	return msg
}

func orFail(p string) string {
	if p == "" {
		return "Fail"
	}
	return p
}

var webhookName = regexp.MustCompile(`webhook "([^"]+)"`)

// explainWebhook turns an API error that names an admission webhook into a
// *WebhookError; other errors pass through.
func (a *Applier) explainWebhook(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	m := webhookName.FindStringSubmatch(msg)
	if m == nil {
		return err
	}
	we := &WebhookError{Webhook: m[1], Denied: strings.Contains(msg, "denied the request"), Cause: webhookCause(msg)}
	a.findWebhook(ctx, we)
	return we
}

// webhookCause is the part of the API server's message after the webhook's
// name.
func webhookCause(msg string) string {
	_, after, ok := strings.Cut(msg, `denied the request: `)
	if ok {
		return after
	}
	if i := strings.LastIndex(msg, `": `); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

// findWebhook fills in where we.Webhook is declared and served, from the
// cluster's webhook configurations (listed once per Applier); it leaves
// them empty when the identity may not list them.
func (a *Applier) findWebhook(ctx context.Context, we *WebhookError) {
	a.webhookOnce.Do(func() {
		// Not the caller's context: a cancelled one would leave every later
		// explanation without the configuration's name.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		ar := a.client.Typed.AdmissionregistrationV1()
		if v, err := ar.ValidatingWebhookConfigurations().List(ctx, metav1.ListOptions{}); err == nil {
			a.validating = v.Items
		}
		if m, err := ar.MutatingWebhookConfigurations().List(ctx, metav1.ListOptions{}); err == nil {
			a.mutating = m.Items
		}
	})
	for _, c := range a.validating {
		for _, w := range c.Webhooks {
			if w.Name == we.Webhook {
				we.Configuration = "ValidatingWebhookConfiguration " + c.Name
				we.Service, we.FailurePolicy = served(w.ClientConfig), policy(w.FailurePolicy)
				return
			}
		}
	}
	for _, c := range a.mutating {
		for _, w := range c.Webhooks {
			if w.Name == we.Webhook {
				we.Configuration = "MutatingWebhookConfiguration " + c.Name
				we.Service, we.FailurePolicy = served(w.ClientConfig), policy(w.FailurePolicy)
				return
			}
		}
	}
}

func served(c admissionv1.WebhookClientConfig) string {
	if c.URL != nil {
		return *c.URL
	}
	if s := c.Service; s != nil {
		port := int32(443)
		if s.Port != nil {
			port = *s.Port
		}
		return fmt.Sprintf("%s/%s:%d", s.Namespace, s.Name, port)
	}
	return ""
}

func policy(p *admissionv1.FailurePolicyType) string {
	if p == nil {
		return ""
	}
	return string(*p)
}
