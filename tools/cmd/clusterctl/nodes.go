package main

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

const (
	// kwokNodeAnnotation marks the nodes kwok manages (its --manage-nodes-with-annotation-selector).
	kwokNodeAnnotation = "kwok.x-k8s.io/node"
	kwokNodeValue      = "fake"
	nodePrefix         = "kship-node-"
)

// nodeResources is what every fake node offers.
var nodeResources = corev1.ResourceList{
	corev1.ResourceCPU:              resource.MustParse("8"),
	corev1.ResourceMemory:           resource.MustParse("32Gi"),
	corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	corev1.ResourcePods:             resource.MustParse("110"),
}

// createNodes makes sure nodes kship-node-0..count-1 exist with the kwok
// annotation and a status that points kube-apiserver at kwok's kubelet server
// (127.0.0.1:kubeletPort), which is how `kubectl logs` reaches kwok. kwok then
// adds the conditions that make the nodes Ready and keeps their leases fresh.
func createNodes(ctx context.Context, cs kubernetes.Interface, count int, kubeletPort int32) error {
	for i := range count {
		want := newNode(fmt.Sprintf("%s%d", nodePrefix, i), kubeletPort)
		// Like a kubelet registering itself, the status is part of the create.
		_, err := cs.CoreV1().Nodes().Create(ctx, want, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
				node, err := cs.CoreV1().Nodes().Get(ctx, want.Name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				node.Status.Capacity = want.Status.Capacity
				node.Status.Allocatable = want.Status.Allocatable
				node.Status.Addresses = want.Status.Addresses
				node.Status.DaemonEndpoints = want.Status.DaemonEndpoints
				_, err = cs.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
				return err
			})
		}
		if err != nil {
			return fmt.Errorf("node %s: %w", want.Name, err)
		}
	}
	return nil
}

func newNode(name string, kubeletPort int32) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{kwokNodeAnnotation: kwokNodeValue},
			Labels: map[string]string{
				"kubernetes.io/hostname": name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
		},
		Status: corev1.NodeStatus{
			Capacity:    nodeResources,
			Allocatable: nodeResources,
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: "127.0.0.1"},
				{Type: corev1.NodeHostName, Address: name},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{
				KubeletEndpoint: corev1.DaemonEndpoint{Port: kubeletPort},
			},
		},
	}
}
