package policies_test

import (
	"syscall"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
)

// typicalDeployment is a compliant three-container Deployment, the shape most requests have:
// images from approved registries (benchParams), pinned by digest as its prod namespace
// requires.
const typicalDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
  labels: {app: checkout, owner: payments, environment: prod}
spec:
  replicas: 3
  selector: {matchLabels: {app: checkout}}
  template:
    metadata:
      labels: {app: checkout, owner: payments}
    spec:
      serviceAccountName: checkout
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      initContainers:
      - name: migrate
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-migrate:1.4.2@sha256:3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}
      containers:
      - name: app
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4.2@sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1
        ports: [{containerPort: 8080}]
        env: [{name: LOG_LEVEL, value: info}, {name: DB_HOST, value: db.internal}]
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 256Mi}}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
      - name: proxy
        image: public.ecr.aws/envoyproxy/envoy:v1.31.0@sha256:7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}
`

// typicalClusterRole is a compliant ClusterRole of ten rules, the shape of an operator's role.
const typicalClusterRole = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: checkout-operator
  labels: {owner: payments}
rules:
- {apiGroups: [""], resources: [pods, pods/log], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [services, endpoints], verbs: [get, list, watch, create, update, patch, delete]}
- {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch, create, update, patch]}
- {apiGroups: [""], resources: [events], verbs: [create, patch]}
- {apiGroups: [apps], resources: [deployments, statefulsets], verbs: [get, list, watch, create, update, patch, delete]}
- {apiGroups: [apps], resources: [deployments/scale, deployments/status], verbs: [get, update, patch]}
- {apiGroups: [batch], resources: [jobs, cronjobs], verbs: [get, list, watch, create, delete]}
- {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, create, update]}
- {apiGroups: [networking.k8s.io], resources: [ingresses, networkpolicies], verbs: [get, list, watch, create, update]}
- {apiGroups: [shop.example.com], resources: [checkouts, checkouts/status, checkouts/finalizers], verbs: [get, list, watch, update, patch]}
`

// benchParams are the config parameters of a typical EKS installation.
var benchParams = map[string]any{"awsAccountIds": []any{"123456789012"}}

// BenchmarkEvaluate measures one evaluation of the whole catalog on a typical Deployment.
func BenchmarkEvaluate(b *testing.B) {
	benchmarkManifest(b, typicalDeployment, offline.Options{Operation: admissionv1.Create})
}

// BenchmarkEvaluateRBAC measures the whole catalog on a typical ClusterRole: created, and
// updated without a change of rules (the path that re-judges the old object).
func BenchmarkEvaluateRBAC(b *testing.B) {
	for _, op := range []admissionv1.Operation{admissionv1.Create, admissionv1.Update} {
		b.Run(string(op), func(b *testing.B) {
			benchmarkManifest(b, typicalClusterRole, offline.Options{Operation: op})
		})
	}
}

// benchmarkManifest measures Engine.Evaluate on the request made from a one-document manifest.
func benchmarkManifest(b *testing.B, manifest string, o offline.Options) {
	engine, err := policies.Embedded(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	docs, errs := manifests.Parse("bench", []byte(manifest))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	req := offline.Request(docs[0], o)
	doc, err := input.Build(req, &input.Namespace{Name: "shop", Labels: map[string]string{"owner": "payments", "environment": "prod"}}, nil, benchParams)
	if err != nil {
		b.Fatal(err)
	}
	violations, err := engine.Evaluate(b.Context(), req.Kind.Kind, req.Object.Raw, doc)
	if err != nil || len(violations) > 0 {
		b.Fatalf("benchmark object must evaluate cleanly: %v %v", violations, err)
	}
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		if _, err := engine.Evaluate(b.Context(), req.Kind.Kind, req.Object.Raw, doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time the process has used (user and system, every thread, the garbage
// collector's included), in ns. On a shared machine wall time per op mostly measures the wait
// for a core; cpu-ns/op measures the work.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
