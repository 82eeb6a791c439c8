package inventory

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/kship/kship/pkg/apply"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
)

// Labels of the Secrets that hold saved manifests. They are not members of
// the set, so pruning never touches them.
const (
	labelReleaseOf = "kship.dev/release-of"
	labelRevision  = "kship.dev/revision"
	labelChunk     = "kship.dev/chunk"
)

// chunkSize keeps each Secret well under the API server's 1 MiB limit.
const chunkSize = 700 << 10

// KeepReleases is how many saved deploys are kept for rollback.
const KeepReleases = 3

// SaveRelease stores objs, gzip'd JSON split over as many Secrets as it
// takes, as revision rev.
func (inv *Inventory) SaveRelease(ctx context.Context, rev int, objs []*unstructured.Unstructured) error {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	items := make([]map[string]any, len(objs))
	for i, o := range objs {
		items[i] = o.Object
	}
	if err := json.NewEncoder(zw).Encode(items); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	data := buf.Bytes()
	for k := 0; k*chunkSize < len(data) || k == 0; k++ {
		part := data[k*chunkSize : min((k+1)*chunkSize, len(data))]
		sec := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Name:      fmt.Sprintf("%s-r%d-%d", inv.Name, rev, k),
				Namespace: inv.Namespace,
				Labels: map[string]string{labelReleaseOf: inv.Env, labelRevision: strconv.Itoa(rev), labelChunk: strconv.Itoa(k),
					"app.kubernetes.io/managed-by": "kship"},
			},
			Type: "kship.dev/release",
			Data: map[string][]byte{"objects.json.gz": part},
		}
		_, err := inv.client.Typed.CoreV1().Secrets(inv.Namespace).Create(ctx, sec, metav1.CreateOptions{FieldManager: apply.FieldManager})
		if apierrors.IsAlreadyExists(err) {
			_, err = inv.client.Typed.CoreV1().Secrets(inv.Namespace).Update(ctx, sec, metav1.UpdateOptions{FieldManager: apply.FieldManager})
		}
		if err != nil {
			return fmt.Errorf("saving revision %d of %s for rollback: %w", rev, inv.Env, err)
		}
	}
	return nil
}

// LoadRelease reads the objects saved as revision rev.
func (inv *Inventory) LoadRelease(ctx context.Context, rev int) ([]*unstructured.Unstructured, error) {
	secs, err := inv.releaseSecrets(ctx, labels.Set{labelReleaseOf: inv.Env, labelRevision: strconv.Itoa(rev)})
	if err != nil {
		return nil, err
	}
	if len(secs) == 0 {
		return nil, fmt.Errorf("revision %d of %s is not saved in namespace %s", rev, inv.Env, inv.Namespace)
	}
	sort.Slice(secs, func(i, j int) bool { return chunk(secs[i]) < chunk(secs[j]) })
	var data []byte
	for _, s := range secs {
		data = append(data, s.Data["objects.json.gz"]...)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("revision %d of %s: %w", rev, inv.Env, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("revision %d of %s: %w", rev, inv.Env, err)
	}
	var items []map[string]any
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("revision %d of %s: %w", rev, inv.Env, err)
	}
	out := make([]*unstructured.Unstructured, len(items))
	for i, it := range items {
		out[i] = &unstructured.Unstructured{Object: it}
	}
	return out, nil
}

// ForgetReleases deletes saved revisions not in keep.
func (inv *Inventory) ForgetReleases(ctx context.Context, keep map[int]bool) error {
	secs, err := inv.releaseSecrets(ctx, labels.Set{labelReleaseOf: inv.Env})
	if err != nil {
		return err
	}
	for _, s := range secs {
		rev, _ := strconv.Atoi(s.Labels[labelRevision])
		if keep[rev] {
			continue
		}
		err := inv.client.Typed.CoreV1().Secrets(inv.Namespace).Delete(ctx, s.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting Secret/%s/%s: %w", inv.Namespace, s.Name, err)
		}
	}
	return nil
}

func (inv *Inventory) releaseSecrets(ctx context.Context, sel labels.Set) ([]corev1.Secret, error) {
	list, err := inv.client.Typed.CoreV1().Secrets(inv.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.AsSelector().String()})
	if err != nil {
		return nil, fmt.Errorf("listing saved revisions of %s: %w", inv.Env, err)
	}
	return list.Items, nil
}

func chunk(s corev1.Secret) int {
	n, _ := strconv.Atoi(s.Labels[labelChunk])
	return n
}
