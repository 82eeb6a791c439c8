package kube

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Denied is a request the API server's authorizer refused.
type Denied struct {
	// User is who was refused, as the server names them.
	User string
	// Verb, Group and Resource are what was refused.
	Verb, Group, Resource string
	// Namespace is where, "" for the cluster scope.
	Namespace string
	// Err is the server's error.
	Err error
}

var deniedMessage = regexp.MustCompile(`User "([^"]*)" cannot (\S+) resource "([^"]*)" in API group "([^"]*)"(?: in the namespace "([^"]*)"| at the cluster scope)?`)

// AsDenied returns the refusal err carries, if it is a Forbidden error of
// the authorizer (not, say, of an admission plugin).
func AsDenied(err error) (*Denied, bool) {
	if !apierrors.IsForbidden(err) {
		return nil, false
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return nil, false
	}
	m := deniedMessage.FindStringSubmatch(status.Status().Message)
	if m == nil {
		return nil, false
	}
	resource, _, _ := strings.Cut(m[3], "/")
	return &Denied{User: m[1], Verb: m[2], Resource: resource, Group: m[4], Namespace: m[5], Err: err}, true
}

// Rule is the RBAC rule that would allow the request, as YAML to paste
// into a Role (namespaced) or ClusterRole (cluster scope).
func (d *Denied) Rule() string {
	return fmt.Sprintf("- apiGroups: [%q]\n  resources: [%q]\n  verbs: [%q]", d.Group, d.Resource, d.Verb)
}

// Where says which kind of role the rule belongs in.
func (d *Denied) Where() string {
	if d.Namespace != "" {
		return fmt.Sprintf("a Role in namespace %s, bound to %s with a RoleBinding", d.Namespace, d.User)
	}
	return fmt.Sprintf("a ClusterRole, bound to %s with a ClusterRoleBinding", d.User)
}

// Advice is one paragraph that says what was refused and how to grant it.
func (d *Denied) Advice() string {
	scope := "at the cluster scope"
	if d.Namespace != "" {
		scope = "in namespace " + d.Namespace
	}
	res := d.Resource
	if d.Group != "" {
		res += "." + d.Group
	}
	return fmt.Sprintf("%s may not %s %s %s; to allow it, add to %s:\n%s", d.User, d.Verb, res, scope, d.Where(), indent(d.Rule(), "  "))
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(s, "\n", "\n"+by)
}
