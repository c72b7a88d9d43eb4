package policies_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
)

// typicalDeployment is a compliant three-container Deployment, the shape most requests have.
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
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-migrate:1.4.2
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}
      containers:
      - name: app
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4.2
        ports: [{containerPort: 8080}]
        env: [{name: LOG_LEVEL, value: info}, {name: DB_HOST, value: db.internal}]
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 256Mi}}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
      - name: proxy
        image: public.ecr.aws/envoyproxy/envoy:v1.31.0
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}
`

// BenchmarkEvaluate measures one evaluation of the whole catalog on a typical Deployment.
func BenchmarkEvaluate(b *testing.B) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		b.Fatal(err)
	}
	engine, err := policies.NewEngine(b.Context(), catalog, catalog.Policies)
	if err != nil {
		b.Fatal(err)
	}
	docs, errs := offline.Parse("bench", []byte(typicalDeployment))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	req := offline.Request(docs[0], offline.Options{Operation: admissionv1.Create})
	doc, err := input.Build(req, &input.Namespace{Name: "shop", Labels: map[string]string{"owner": "payments", "environment": "prod"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.Evaluate(b.Context(), "Deployment", doc); err != nil {
			b.Fatal(err)
		}
	}
}
