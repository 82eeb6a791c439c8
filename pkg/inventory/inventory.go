package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/kship/kship/pkg/apply"
	"github.com/kship/kship/pkg/kube"
	"github.com/kship/kship/pkg/object"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// annotationHistory holds the JSON deploy history on the parent.
const annotationHistory = "kship.dev/history"

// annotationProject names the project (repository and kship.yaml) whose
// environment the parent records: what tells an environment that moved to
// another namespace from another project's environment of the same name.
const annotationProject = "kship.dev/project"

// annotationClusters lists, comma-separated, the clusters of an
// environment that lists several, as its last deploy to this cluster saw
// them: so that a deploy notices a cluster dropped from kship.yaml.
const annotationClusters = "kship.dev/clusters"

// ParentType is the type of the parent Secret.
const ParentType = corev1.SecretType("kship.dev/applyset")

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

// With returns the same inventory, read and written through client.
func (inv *Inventory) With(client *kube.Client) *Inventory {
	c := *inv
	c.client = client
	return &c
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
	// Members are the objects of the set, as the last write recorded them:
	// a deploy records the union of the old and the new members before it
	// applies anything, and what remains after its prune.
	Members map[object.Ref]Recorded
	// History is the recent deploys, newest last.
	History []Record
	// Project names the project that deploys the environment (see
	// Elsewhere); "" when not known.
	Project string
	// Clusters are the clusters of the environment, when it lists
	// several, as the last deploy recorded them.
	Clusters []string

	// parent is the Secret as read; writes are conditional on it.
	parent *corev1.Secret
	// mine are the revisions this process recorded: on a concurrent write,
	// its records of them win, and every other record is kept.
	mine map[int]bool
	// base is the parent's content as read or last written (see merge).
	base snapshot
}

// Recorded is what the inventory knows of a member besides its name.
type Recorded struct {
	// Ephemeral members may delete themselves once done: a Job with
	// ttlSecondsAfterFinished. Their absence after a good deploy is no fault.
	Ephemeral bool `json:"ephemeral,omitempty"`
}

func newState(namespace string) *State {
	s := &State{GroupKinds: map[schema.GroupKind]bool{}, Namespaces: map[string]bool{namespace: true},
		Members: map[object.Ref]Recorded{}, mine: map[int]bool{}}
	s.base = s.snap()
	return s
}

// Load reads the parent.
func (inv *Inventory) Load(ctx context.Context) (*State, error) {
	s := newState(inv.Namespace)
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
	s.Exists, s.parent = true, sec
	s.Project = sec.Annotations[annotationProject]
	if c := sec.Annotations[annotationClusters]; c != "" {
		s.Clusters = strings.Split(c, ",")
	}
	s.GroupKinds = parseGKs(sec.Annotations[AnnotationGKs])
	for ns := range parseSet(sec.Annotations[AnnotationNamespaces]) {
		s.Namespaces[ns] = true
	}
	if h := sec.Annotations[annotationHistory]; h != "" {
		if err := json.Unmarshal([]byte(h), &s.History); err != nil {
			return nil, fmt.Errorf("Secret/%s/%s: annotation %s: %w", inv.Namespace, inv.Name, annotationHistory, err)
		}
	}
	if s.Members, err = decodeMembers(sec.Data[dataMembers]); err != nil {
		return nil, fmt.Errorf("Secret/%s/%s: %s: %w", inv.Namespace, inv.Name, dataMembers, err)
	}
	s.base = s.snap()
	return s, nil
}

// maxWriteAttempts bounds the re-reads of a parent that others keep writing.
const maxWriteAttempts = 5

// Write records s on the parent, creating it if needed. The write is
// conditional on the parent being as s was read: when another process wrote
// it since, Write reads it again and merges, keeping every record, kind,
// namespace and member the other wrote, and tries again.
func (inv *Inventory) Write(ctx context.Context, s *State) error {
	for attempt := 1; ; attempt++ {
		err := inv.write(ctx, s)
		if err == nil || !(apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err)) || attempt == maxWriteAttempts {
			if err != nil {
				return fmt.Errorf("writing inventory Secret/%s/%s: %w", inv.Namespace, inv.Name, err)
			}
			return nil
		}
		fresh, lerr := inv.Load(ctx)
		if lerr != nil {
			return lerr
		}
		s.merge(fresh)
	}
}

func (inv *Inventory) write(ctx context.Context, s *State) error {
	hist, err := json.Marshal(s.History)
	if err != nil {
		return err
	}
	members, err := encodeMembers(s.Members)
	if err != nil {
		return err
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: inv.Name, Namespace: inv.Namespace}}
	if s.parent != nil {
		sec = s.parent.DeepCopy()
	}
	sec.Type = ParentType
	if sec.Labels == nil {
		sec.Labels = map[string]string{}
	}
	sec.Labels[LabelID], sec.Labels["app.kubernetes.io/managed-by"] = inv.ID, "kship"
	if sec.Annotations == nil {
		sec.Annotations = map[string]string{}
	}
	sec.Annotations[AnnotationTooling] = Tooling
	sec.Annotations[AnnotationGKs] = formatGKs(s.GroupKinds)
	sec.Annotations[AnnotationNamespaces] = formatSet(s.Namespaces, inv.Namespace)
	sec.Annotations[annotationHistory] = string(hist)
	if s.Project != "" {
		sec.Annotations[annotationProject] = s.Project
	}
	if len(s.Clusters) > 0 {
		sec.Annotations[annotationClusters] = strings.Join(s.Clusters, ",")
	} else {
		delete(sec.Annotations, annotationClusters)
	}
	if sec.Data == nil {
		sec.Data = map[string][]byte{}
	}
	sec.Data[dataMembers] = members
	secrets := inv.client.Typed.CoreV1().Secrets(inv.Namespace)
	var out *corev1.Secret
	if s.parent == nil {
		out, err = secrets.Create(ctx, sec, metav1.CreateOptions{FieldManager: apply.FieldManager})
	} else {
		out, err = secrets.Update(ctx, sec, metav1.UpdateOptions{FieldManager: apply.FieldManager})
	}
	if err != nil {
		return err
	}
	s.Exists, s.parent, s.base = true, out, s.snap()
	return nil
}

// merge folds fresh, the parent as another process left it, into s: the
// changes s made since it was read (kinds, namespaces and members added or
// removed; its own revisions' records) are applied to fresh, so that
// neither what the other process wrote nor what s removed comes back.
func (s *State) merge(fresh *State) {
	s.GroupKinds = mergeSet(s.base.gks, s.GroupKinds, fresh.GroupKinds)
	s.Namespaces = mergeSet(s.base.nss, s.Namespaces, fresh.Namespaces)
	members := map[object.Ref]Recorded{}
	for r, m := range fresh.Members {
		if _, removed := s.base.members[r]; removed {
			if _, kept := s.Members[r]; !kept {
				continue
			}
		}
		members[r] = m
	}
	for r, m := range s.Members {
		if old, ok := s.base.members[r]; !ok || old != m {
			members[r] = m // added or changed here
		}
	}
	s.Members = members
	ours := map[int]Record{}
	for _, r := range s.History {
		if s.mine[r.Revision] {
			ours[r.Revision] = r
		}
	}
	s.History = append([]Record(nil), fresh.History...)
	for _, r := range ours {
		s.add(r)
	}
	sortHistory(s.History)
	s.Exists, s.parent, s.base = fresh.Exists, fresh.parent, fresh.base
}

// mergeSet applies what mine changed from base (added and removed keys) to
// theirs.
func mergeSet[K comparable](base, mine, theirs map[K]bool) map[K]bool {
	out := map[K]bool{}
	for k := range theirs {
		if !(base[k] && !mine[k]) {
			out[k] = true
		}
	}
	for k := range mine {
		if !base[k] {
			out[k] = true
		}
	}
	return out
}

// snapshot is what a State was as read from (or last written to) the
// parent: what merge takes s's changes relative to.
type snapshot struct {
	gks     map[schema.GroupKind]bool
	nss     map[string]bool
	members map[object.Ref]Recorded
}

func (s *State) snap() snapshot {
	return snapshot{gks: maps.Clone(s.GroupKinds), nss: maps.Clone(s.Namespaces), members: maps.Clone(s.Members)}
}

// Label returns copies of objs labelled as members of the set. A copy has
// its own metadata and shares its other fields with its object
// (object.WithOwnMetadata).
func (inv *Inventory) Label(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		c := object.WithOwnMetadata(o)
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

// Union adds objs to the members, and their kinds and namespaces to where
// members may be.
func (s *State) Union(objs []*unstructured.Unstructured) {
	gks, nss := Span(objs)
	for gk := range gks {
		s.GroupKinds[gk] = true
	}
	for ns := range nss {
		s.Namespaces[ns] = true
	}
	for _, o := range objs {
		s.Members[object.RefOf(o)] = recordOf(o)
	}
}

// Narrow sets the members to refs (the objects that remain after a prune,
// with what they were recorded as), and where members may be to their kinds
// and namespaces plus home, the parent's namespace.
func (s *State) Narrow(members map[object.Ref]Recorded, home string) {
	s.Members = members
	s.GroupKinds, s.Namespaces = map[schema.GroupKind]bool{}, map[string]bool{home: true}
	for r := range members {
		s.GroupKinds[r.GroupKind()] = true
		if r.Namespace != "" {
			s.Namespaces[r.Namespace] = true
		}
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
