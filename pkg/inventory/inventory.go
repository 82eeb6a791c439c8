package inventory

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kship/kship/pkg/kube"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
)

// fieldManager is the manager of the parent's fields; kship's apply of
// members uses the same name.
const fieldManager = "kship"

// annotationHistory holds the JSON deploy history on the parent.
const annotationHistory = "kship.dev/history"

// Inventory is one environment's ApplySet.
type Inventory struct {
	client    *kube.Client
	Env       string
	Namespace string
	Name      string
	ID        string
}

// New returns the inventory of env, whose parent Secret lives in namespace.
func New(client *kube.Client, env, namespace string) *Inventory {
	name := ParentName(env)
	return &Inventory{client: client, Env: env, Namespace: namespace, Name: name, ID: ID(name, namespace)}
}

// String names the parent as kubectl's --applyset flag wants it.
func (inv *Inventory) String() string { return "secrets/" + inv.Name + " -n " + inv.Namespace }

// State is what the parent records.
type State struct {
	// Exists is false before the first deploy.
	Exists bool
	// GroupKinds and Namespaces are where members may be.
	GroupKinds map[schema.GroupKind]bool
	Namespaces map[string]bool
	// History is the recent deploys, newest last.
	History []Record
}

// Load reads the parent.
func (inv *Inventory) Load(ctx context.Context) (*State, error) {
	s := &State{GroupKinds: map[schema.GroupKind]bool{}, Namespaces: map[string]bool{inv.Namespace: true}}
	sec, err := inv.client.Typed.CoreV1().Secrets(inv.Namespace).Get(ctx, inv.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading inventory Secret/%s/%s: %w", inv.Namespace, inv.Name, err)
	}
	if got := sec.Labels[LabelID]; got != inv.ID {
		return nil, fmt.Errorf("Secret/%s/%s is not kship's inventory of %q (its %s label is %q): rename or delete it", inv.Namespace, inv.Name, inv.Env, LabelID, got)
	}
	s.Exists = true
	s.GroupKinds = parseGKs(sec.Annotations[AnnotationGKs])
	for ns := range parseSet(sec.Annotations[AnnotationNamespaces]) {
		s.Namespaces[ns] = true
	}
	if h := sec.Annotations[annotationHistory]; h != "" {
		if err := json.Unmarshal([]byte(h), &s.History); err != nil {
			return nil, fmt.Errorf("Secret/%s/%s: annotation %s: %w", inv.Namespace, inv.Name, annotationHistory, err)
		}
	}
	return s, nil
}

// Write records gks and namespaces (and history) on the parent, creating it
// if needed, with server-side apply.
func (inv *Inventory) Write(ctx context.Context, s *State) error {
	hist, err := json.Marshal(s.History)
	if err != nil {
		return err
	}
	ac := applycorev1.Secret(inv.Name, inv.Namespace).
		WithType(corev1.SecretType("kship.dev/applyset")).
		WithLabels(map[string]string{LabelID: inv.ID, "app.kubernetes.io/managed-by": "kship"}).
		WithAnnotations(map[string]string{
			AnnotationTooling:    Tooling,
			AnnotationGKs:        formatGKs(s.GroupKinds),
			AnnotationNamespaces: formatSet(s.Namespaces, inv.Namespace),
			annotationHistory:    string(hist),
		})
	_, err = inv.client.Typed.CoreV1().Secrets(inv.Namespace).Apply(ctx, ac, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
	if err != nil {
		return fmt.Errorf("writing inventory Secret/%s/%s: %w", inv.Namespace, inv.Name, err)
	}
	return nil
}

// Label returns copies of objs labelled as members of the set.
func (inv *Inventory) Label(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		c := o.DeepCopy()
		labels := c.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[LabelPartOf] = inv.ID
		c.SetLabels(labels)
		out[i] = c
	}
	return out
}

// Span returns the group-kinds and namespaces objs occupy.
func Span(objs []*unstructured.Unstructured) (map[schema.GroupKind]bool, map[string]bool) {
	gks, nss := map[schema.GroupKind]bool{}, map[string]bool{}
	for _, o := range objs {
		gks[o.GroupVersionKind().GroupKind()] = true
		if ns := o.GetNamespace(); ns != "" {
			nss[ns] = true
		}
	}
	return gks, nss
}

// Union adds gks and namespaces to s.
func (s *State) Union(gks map[schema.GroupKind]bool, nss map[string]bool) {
	for gk := range gks {
		s.GroupKinds[gk] = true
	}
	for ns := range nss {
		s.Namespaces[ns] = true
	}
}

// Delete removes the parent (used by tests and by a full teardown).
func (inv *Inventory) Delete(ctx context.Context) error {
	err := inv.client.Typed.CoreV1().Secrets(inv.Namespace).Delete(ctx, inv.Name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
