#!/usr/bin/env bash
# Writes N Deployments (default 10000) as one multi-document YAML stream on stdout, for
# measuring `govhook test` on a large input:
#   hack/gen-deployments.sh 10000 > /tmp/deployments.yaml
#   /usr/bin/time -v bin/govhook test -f /tmp/deployments.yaml -o json > /dev/null
# Every tenth Deployment runs a privileged container, so the report has denials to write.
set -euo pipefail
n="${1:-10000}"
for ((i = 0; i < n; i++)); do
  privileged=false
  if ((i % 10 == 0)); then privileged=true; fi
  # printf is a builtin: no process per document.
  printf '%s\n' "---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-$i
  namespace: team-$((i % 50))
  labels: {app: web-$i, owner: team-$((i % 50))}
spec:
  replicas: 2
  selector: {matchLabels: {app: web-$i}}
  template:
    metadata:
      labels: {app: web-$i, owner: team-$((i % 50))}
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.$i
        ports: [{containerPort: 8080}]
        env: [{name: LOG_LEVEL, value: info}]
        securityContext: {privileged: $privileged, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 256Mi}}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
      - name: proxy
        image: public.ecr.aws/envoyproxy/envoy:v1.31.0
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}"
done
