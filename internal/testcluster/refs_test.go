package testcluster_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/kship/kship/internal/testcluster"
)

// refCase is a pod whose ConfigMap and Secret references a kubelet would
// refuse, what the pod must look like then, and the object whose creation
// lets it start.
type refCase struct {
	name  string
	have  []string // ConfigMaps and Secrets created before the pod (YAML)
	spec  string   // the pod's spec (YAML)
	check func(t *testing.T, c *testcluster.Cluster, ns string, p *corev1.Pod)
	stuck func(p *corev1.Pod) bool // the state check waits for
	fix   string                   // created afterwards: the pod must become ready ("" for none)
}

// TestPodConfigReferences checks that a fake pod whose ConfigMap or Secret
// (or one of their keys) is missing behaves as on a kubelet: its container
// waits with CreateContainerConfigError (env, envFrom), or the pod stays
// ContainerCreating with a FailedMount event (volumes), optional references
// are ignored, and the pod starts once the object appears.
func TestPodConfigReferences(t *testing.T) {
	t.Parallel()
	c := testcluster.Require(t)
	configError := func(container, msg string) func(*testing.T, *testcluster.Cluster, string, *corev1.Pod) {
		return func(t *testing.T, c *testcluster.Cluster, ns string, p *corev1.Pod) {
			msg = strings.ReplaceAll(msg, "NS", ns)
			if w := status(p, container).State.Waiting; w == nil || w.Message != msg {
				t.Errorf("container %s: %s; want waiting CreateContainerConfigError %q", container, dump(status(p, container)), msg)
			}
			if podReady(p) {
				t.Error("the pod is ready")
			}
			if got := waitEvent(t, c.Clientset(), ns, p.Name, corev1.EventTypeWarning, "Failed"); got != "Error: "+msg {
				t.Errorf("Failed event %q, want %q", got, "Error: "+msg)
			}
		}
	}
	failedMount := func(msg string) func(*testing.T, *testcluster.Cluster, string, *corev1.Pod) {
		return func(t *testing.T, c *testcluster.Cluster, ns string, p *corev1.Pod) {
			if w := container(p).State.Waiting; p.Status.Phase != corev1.PodPending || w == nil || w.Reason != "ContainerCreating" {
				t.Errorf("pod %s, container %s; want Pending and ContainerCreating", p.Status.Phase, dump(container(p)))
			}
			if got := waitEvent(t, c.Clientset(), ns, p.Name, corev1.EventTypeWarning, "FailedMount"); got != msg {
				t.Errorf("FailedMount event %q, want %q", got, msg)
			}
		}
	}
	tests := []refCase{
		{
			name: "env from a missing ConfigMap",
			spec: `
containers:
- {name: app, image: registry.example/app:1, env: [{name: LOG_LEVEL, valueFrom: {configMapKeyRef: {name: api-config, key: LOG_LEVEL}}}]}
- {name: proxy, image: registry.example/proxy:1}
`,
			stuck: waiting("app", "CreateContainerConfigError"),
			check: func(t *testing.T, c *testcluster.Cluster, ns string, p *corev1.Pod) {
				configError("app", `configmap "api-config" not found`)(t, c, ns, p)
				if st := status(p, "proxy"); st.State.Running == nil || !st.Ready {
					t.Errorf("container proxy %s; want running and ready, as a kubelet starts the containers it can", dump(st))
				}
			},
			fix: "{apiVersion: v1, kind: ConfigMap, metadata: {name: api-config}, data: {LOG_LEVEL: info}}",
		},
		{
			name:  "a key the ConfigMap lacks",
			have:  []string{"{apiVersion: v1, kind: ConfigMap, metadata: {name: api-config}, data: {ENV: stage}}"},
			spec:  `containers: [{name: app, image: registry.example/app:1, env: [{name: LOG_LEVEL, valueFrom: {configMapKeyRef: {name: api-config, key: LOG_LEVEL}}}]}]`,
			stuck: waiting("app", "CreateContainerConfigError"),
			check: configError("app", "couldn't find key LOG_LEVEL in ConfigMap NS/api-config"),
			fix:   "{apiVersion: v1, kind: ConfigMap, metadata: {name: api-config}, data: {ENV: stage, LOG_LEVEL: info}}",
		},
		{
			name:  "envFrom a missing Secret",
			spec:  `containers: [{name: app, image: registry.example/app:1, envFrom: [{secretRef: {name: db-credentials}}]}]`,
			stuck: waiting("app", "CreateContainerConfigError"),
			check: configError("app", `secret "db-credentials" not found`),
			fix:   "{apiVersion: v1, kind: Secret, metadata: {name: db-credentials}, stringData: {DATABASE_URL: postgres://db}}",
		},
		{
			name: "an init container's missing Secret key blocks the pod",
			have: []string{"{apiVersion: v1, kind: Secret, metadata: {name: db-credentials}, stringData: {user: app}}"},
			spec: `
initContainers: [{name: migrate, image: registry.example/app:1, env: [{name: PW, valueFrom: {secretKeyRef: {name: db-credentials, key: password}}}]}]
containers: [{name: app, image: registry.example/app:1}]
`,
			stuck: func(p *corev1.Pod) bool {
				return len(p.Status.InitContainerStatuses) == 1 && p.Status.InitContainerStatuses[0].State.Waiting != nil &&
					p.Status.InitContainerStatuses[0].State.Waiting.Reason == "CreateContainerConfigError"
			},
			check: func(t *testing.T, c *testcluster.Cluster, ns string, p *corev1.Pod) {
				want := "couldn't find key password in Secret " + ns + "/db-credentials"
				if w := p.Status.InitContainerStatuses[0].State.Waiting; w.Message != want {
					t.Errorf("init container message %q, want %q", w.Message, want)
				}
				if w := container(p).State.Waiting; w == nil || w.Reason != "PodInitializing" || p.Status.Phase != corev1.PodPending {
					t.Errorf("pod %s, container %s; want Pending, PodInitializing", p.Status.Phase, dump(container(p)))
				}
				if cond := podCondition(p, corev1.PodInitialized); cond == nil || cond.Status != corev1.ConditionFalse {
					t.Errorf("Initialized condition %s, want False", dump(cond))
				}
			},
			fix: "{apiVersion: v1, kind: Secret, metadata: {name: db-credentials}, stringData: {user: app, password: s3cret}}",
		},
		{
			name: "a missing ConfigMap volume",
			spec: `
containers: [{name: app, image: registry.example/app:1, volumeMounts: [{name: config, mountPath: /etc/app}]}]
volumes: [{name: config, configMap: {name: app-settings}}]
`,
			stuck: func(p *corev1.Pod) bool {
				c := podCondition(p, corev1.PodReadyToStartContainers)
				return c != nil && c.Status == corev1.ConditionFalse
			},
			check: failedMount(`MountVolume.SetUp failed for volume "config" : configmap "app-settings" not found`),
			fix:   "{apiVersion: v1, kind: ConfigMap, metadata: {name: app-settings}, data: {app.yaml: 'port: 8080'}}",
		},
		{
			name: "a projected volume whose Secret is missing",
			spec: `
containers: [{name: app, image: registry.example/app:1, volumeMounts: [{name: creds, mountPath: /creds}]}]
volumes:
- name: creds
  projected: {sources: [{secret: {name: tls, items: [{key: tls.crt, path: tls.crt}]}}, {configMap: {name: kube-root-ca.crt}}]}
`,
			stuck: func(p *corev1.Pod) bool {
				c := podCondition(p, corev1.PodReadyToStartContainers)
				return c != nil && c.Status == corev1.ConditionFalse
			},
			check: failedMount(`MountVolume.SetUp failed for volume "creds" : secret "tls" not found`),
			fix:   "{apiVersion: v1, kind: Secret, metadata: {name: tls}, stringData: {tls.crt: cert}}",
		},
		{
			name: "optional references may be missing",
			spec: `
containers:
- name: app
  image: registry.example/app:1
  envFrom: [{configMapRef: {name: overrides, optional: true}}]
  env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: token, key: value, optional: true}}}]
  volumeMounts: [{name: extra, mountPath: /extra}]
volumes: [{name: extra, secret: {secretName: extra, optional: true}}]
`,
			stuck: podReady,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ns := c.Namespace(t)
			for _, o := range tt.have {
				createRef(t, c, ns, o)
			}
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "refs", Labels: map[string]string{"app": "refs"}}}
			if err := yaml.Unmarshal([]byte(tt.spec), &p.Spec); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Clientset().CoreV1().Pods(ns).Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			got := waitPod(t, c.Clientset(), ns, "app=refs", "the pod's state on a kubelet", tt.stuck)
			if tt.check != nil {
				tt.check(t, c, ns, got)
			}
			if tt.fix == "" {
				return
			}
			createRef(t, c, ns, tt.fix)
			waitPod(t, c.Clientset(), ns, "app=refs", "the pod to start once its reference resolves", podReady)
		})
	}
}

// waiting is a check that container name waits with reason.
func waiting(name, reason string) func(*corev1.Pod) bool {
	return func(p *corev1.Pod) bool {
		w := status(p, name).State.Waiting
		return w != nil && w.Reason == reason
	}
}

// status returns the status of the pod's container name.
func status(p *corev1.Pod, name string) corev1.ContainerStatus {
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == name {
			return s
		}
	}
	return corev1.ContainerStatus{}
}

// createRef creates or updates the ConfigMap or Secret of manifest in ns.
func createRef(t *testing.T, c *testcluster.Cluster, ns, manifest string) {
	t.Helper()
	ctx := context.Background()
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal([]byte(manifest), &tm); err != nil {
		t.Fatal(err)
	}
	var err error
	switch tm.Kind {
	case "ConfigMap":
		var cm corev1.ConfigMap
		if err = yaml.Unmarshal([]byte(manifest), &cm); err == nil {
			cms := c.Clientset().CoreV1().ConfigMaps(ns)
			if _, err = cms.Create(ctx, &cm, metav1.CreateOptions{}); err != nil {
				_, err = cms.Update(ctx, &cm, metav1.UpdateOptions{})
			}
		}
	case "Secret":
		var s corev1.Secret
		if err = yaml.Unmarshal([]byte(manifest), &s); err == nil {
			ss := c.Clientset().CoreV1().Secrets(ns)
			if _, err = ss.Create(ctx, &s, metav1.CreateOptions{}); err != nil {
				_, err = ss.Update(ctx, &s, metav1.UpdateOptions{})
			}
		}
	default:
		t.Fatalf("createRef: kind %q", tm.Kind)
	}
	if err != nil {
		t.Fatal(err)
	}
}
