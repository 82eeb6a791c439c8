package treegen

import (
	"fmt"
	"path"
)

// ServicesObjectsPer is how many objects each generated service contributes
// to the build: Deployment, Service, HorizontalPodAutoscaler,
// PodDisruptionBudget and its generated ConfigMap.
const ServicesObjectsPer = 5

// ServicesObjects is how many objects the tree written by Services(dir, n)
// builds to: n services plus the Namespace and the shared ConfigMap.
func ServicesObjects(n int) int { return n*ServicesObjectsPer + 2 }

// tiers cycles over the generated services; the overlay patches by tier.
var tiers = []string{"frontend", "backend", "worker"}

// Services writes to dir a production overlay over n microservices, the shape
// of a large platform repository:
//
//	dir/kustomization.yaml          overlay: namespace, labels, images, replicas, patches, generator merge
//	dir/base/kustomization.yaml     lists every service and a shared ConfigMap generator
//	dir/base/services/svc-NNN/      Deployment, Service, HPA, PDB and a ConfigMap generator
//
// Build dir itself. It creates dir if needed and overwrites files it writes.
func Services(dir string, n int) error {
	if n < 1 || n > 9999 {
		return fmt.Errorf("treegen: services: n = %d, want 1..9999", n)
	}
	t := tree{}
	svcs := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("svc-%04d", i)
		svcs[i] = "services/" + name
		addService(t, path.Join("base", "services", name), name, i, n)
	}
	t.add("base/kustomization.yaml", `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
%s
configMapGenerator:
  - name: fleet-env
    literals:
      - CLUSTER=fleet
      - OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector.observability:4317
`, yamlList(2, svcs))
	t.add("namespace.yaml", `apiVersion: v1
kind: Namespace
metadata:
  name: fleet
`)
	t.add("kustomization.yaml", servicesOverlay(n))
	return t.write(dir)
}

// servicesOverlay is the top kustomization: what a prod overlay of a large
// repository typically does to every object.
func servicesOverlay(n int) string {
	replicas := ""
	for i := 0; i < n; i += 7 {
		replicas += fmt.Sprintf("  - name: svc-%04d\n    count: %d\n", i, 2+i%5)
	}
	return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: fleet
resources:
  - namespace.yaml
  - base
labels:
  - pairs:
      app.kubernetes.io/part-of: fleet
      environment: prod
    includeTemplates: true
commonAnnotations:
  owner: platform-team
images:
  - name: app
    newName: registry.example/fleet/app
    newTag: "2024.06.1"
  - name: envoy
    newName: registry.example/mirror/envoyproxy/envoy
    digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
replicas:
` + replicas + `configMapGenerator:
  - name: fleet-env
    behavior: merge
    literals:
      - ENVIRONMENT=prod
patches:
  - target:
      kind: Deployment
    patch: |-
      - op: add
        path: /spec/template/spec/topologySpreadConstraints
        value:
          - maxSkew: 1
            topologyKey: topology.kubernetes.io/zone
            whenUnsatisfiable: ScheduleAnyway
  - target:
      kind: Deployment
      labelSelector: tier=frontend
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: any
      spec:
        template:
          spec:
            containers:
              - name: proxy
                resources:
                  limits:
                    memory: 256Mi
  - target:
      kind: HorizontalPodAutoscaler
      labelSelector: tier=backend
    patch: |-
      - op: replace
        path: /spec/maxReplicas
        value: 20
`
}

// addService adds the kustomization and manifests of service i of n at dir.
func addService(t tree, dir, name string, i, n int) {
	tier := tiers[i%len(tiers)]
	port := 8080 + i%3
	cpu := 50 + (i%8)*25
	mem := 128 << (i % 3)
	t.add(dir+"/kustomization.yaml", `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
  - pairs:
      app.kubernetes.io/name: %[1]s
      tier: %[2]s
    includeSelectors: true
resources:
  - deployment.yaml
  - service.yaml
  - hpa.yaml
  - pdb.yaml
configMapGenerator:
  - name: %[1]s-config
    files:
      - application.properties
    literals:
      - SERVICE_NAME=%[1]s
      - PORT=%[3]d
`, name, tier, port)
	t.add(dir+"/application.properties", `# %[1]s settings
server.port=%[2]d
server.shutdown=graceful
spring.lifecycle.timeout-per-shutdown-phase=20s
management.endpoints.web.exposure.include=health,info,prometheus
downstream.url=http://svc-%04[3]d.fleet.svc.cluster.local
cache.ttl=%[4]ds
`, name, port, (i+1)%n, 30+i%90)
	t.add(dir+"/deployment.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  annotations:
    kship.dev/description: "%[1]s serves the %[2]s tier"
spec:
  replicas: 1
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app.kubernetes.io/component: server
  template:
    metadata:
      labels:
        app.kubernetes.io/component: server
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "%[3]d"
    spec:
      serviceAccountName: default
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: app
          image: app
          args: ["--config=/etc/%[1]s/application.properties"]
          ports:
            - name: http
              containerPort: %[3]d
          envFrom:
            - configMapRef:
                name: fleet-env
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          volumeMounts:
            - name: config
              mountPath: /etc/%[1]s
              readOnly: true
          readinessProbe:
            httpGet:
              path: /actuator/health/readiness
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /actuator/health/liveness
              port: http
            initialDelaySeconds: 20
          resources:
            requests:
              cpu: %[4]dm
              memory: %[5]dMi
            limits:
              memory: %[6]dMi
        - name: proxy
          image: envoy
          args: ["--config-path", "/etc/envoy/envoy.yaml"]
          ports:
            - name: proxy
              containerPort: 9901
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
      volumes:
        - name: config
          configMap:
            name: %[1]s-config
`, name, tier, port, cpu, mem, mem*2)
	t.add(dir+"/service.yaml", `apiVersion: v1
kind: Service
metadata:
  name: %[1]s
spec:
  selector:
    app.kubernetes.io/component: server
  ports:
    - name: http
      port: 80
      targetPort: http
`, name)
	t.add(dir+"/hpa.yaml", `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: %[1]s
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: %[1]s
  minReplicas: 1
  maxReplicas: %[2]d
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: %[3]d
`, name, 3+i%7, 60+i%30)
	t.add(dir+"/pdb.yaml", `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: %[1]s
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/component: server
`, name)
}
