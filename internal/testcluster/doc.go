// Package testcluster gives tests a real Kubernetes API server to talk to:
// kship's local control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok's fake nodes), which tools/cluster/up.sh builds from
// pinned Go modules and runs on 127.0.0.1.
//
// A test asks for the cluster and a namespace of its own:
//
//	func TestRollout(t *testing.T) {
//		c := testcluster.Require(t)
//		ns := c.Namespace(t)
//		cs := c.Clientset()
//		...
//	}
//
// Require reuses a running cluster (the one whose admin kubeconfig is
// .cluster/kubeconfig in the repository, or the one KSHIP_KUBECONFIG names)
// and otherwise runs tools/cluster/up.sh once per test process; up.sh
// serializes concurrent starts with a lock under .cluster/. A cluster started
// this way keeps running after the tests (make test stops it with make
// cluster-down). When no cluster can be had, Require skips the test, unless
// CI=true or KSHIP_REQUIRE_CLUSTER=1, in which case it fails it.
//
// A test that must take the API server away (kill it mid-deploy, restart
// it) asks for one of its own, on the same etcd, so that the tests sharing
// the cluster's API server are not disturbed:
//
//	s := c.PrivateAPIServer(t)   // started, ready; stopped when t ends
//	... run kship with --kubeconfig s.Kubeconfig() ...
//	s.Stop()                     // SIGKILL, as a crash
//	s.Start()                    // back on the same port, once /readyz passes
//
// Pods on the fake nodes behave as kwok's stages in tools/cluster/stages make
// them: they become Ready shortly after they are scheduled, Job pods succeed,
// and annotations (see the Annotation constants) make them fail the way a
// real kubelet reports failures. As on a kubelet, a pod whose ConfigMap or
// Secret (or one of its keys) is missing does not start: its container waits
// with CreateContainerConfigError (env, envFrom), or the pod stays
// ContainerCreating with a FailedMount event (volumes), until the object
// appears; optional references may be missing.
package testcluster
