package inventory

import (
	"context"
	"fmt"

	"github.com/kship/kship/pkg/kube"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var secretsResource = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

// Elsewhere returns the namespaces other than inv's where an inventory of
// the same environment of the same project exists: what a deploy leaves
// behind, unmanaged, when the environment's namespace changes in
// kship.yaml. Another project's environment of the same name is not the
// same; neither is one whose project is not known. It needs to list Secrets
// in every namespace; an identity that may not reports none.
func (inv *Inventory) Elsewhere(ctx context.Context, project string) ([]string, error) {
	if project == "" {
		return nil, nil
	}
	list, err := inv.client.Metadata.Resource(secretsResource).Namespace("").List(ctx, metav1.ListOptions{
		LabelSelector: "app.kubernetes.io/managed-by=kship",
		FieldSelector: "metadata.name=" + inv.Name,
	})
	if _, denied := kube.AsDenied(err); denied {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking for inventories of %s in other namespaces: %w", inv.Env, err)
	}
	var out []string
	for _, s := range list.Items {
		if s.Namespace != inv.Namespace && s.Labels[LabelID] == ID(inv.Name, s.Namespace) && s.Annotations[annotationProject] == project {
			out = append(out, s.Namespace)
		}
	}
	return out, nil
}
