package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/govhook/govhook/compliance"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/review"
)

// inClusterNamespaceFile holds the namespace of the pod's service account.
const inClusterNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// auditWorkers bounds the objects the continuous audit reviews at once: it shares the cores
// with admission, and each review waits for its evidence record's fsync (group commit).
const auditWorkers = 4

// continuousOptions configure serve's continuous audit.
type continuousOptions struct {
	interval       time.Duration
	leaseNamespace string
}

// defaultLeaseNamespace holds the audit Lease when nothing else names a namespace: the one
// deploy/ installs govhook in.
const defaultLeaseNamespace = "govhook-system"

// namespace is where the audit Lease lives: the flag, else $POD_NAMESPACE, else the service
// account's namespace in-cluster, else defaultLeaseNamespace.
func (o continuousOptions) namespace() string {
	if o.leaseNamespace != "" {
		return o.leaseNamespace
	}
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	if data, err := os.ReadFile(inClusterNamespaceFile); err == nil && strings.TrimSpace(string(data)) != "" {
		return strings.TrimSpace(string(data))
	}
	return defaultLeaseNamespace
}

// newContinuousAudit wires the auditor of serve: the same reviewer (and so the config in
// force) as the webhook, its evidence writer, and the registry of /metrics.
func newContinuousAudit(cfg *rest.Config, reviewer *review.Reviewer, writer evidence.Recorder, o continuousOptions, replica string, log logr.Logger) (*compliance.Auditor, compliance.Election, error) {
	scanner, err := newScanner(cfg, reviewer)
	if err != nil {
		return nil, compliance.Election{}, err
	}
	scanner.Evidence, scanner.Workers = writer, auditWorkers
	scheme, err := compliance.NewScheme()
	if err != nil {
		return nil, compliance.Election{}, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, compliance.Election{}, fmt.Errorf("report client: %w", err)
	}
	gauges, err := metrics.NewAudit(ctrlmetrics.Registry, o.interval)
	if err != nil {
		return nil, compliance.Election{}, fmt.Errorf("register metrics: %w", err)
	}
	a := &compliance.Auditor{
		Scanner:   scanner,
		Publisher: &compliance.Publisher{Client: c, Auditor: replica, Log: log},
		Metrics:   gauges,
		Interval:  o.interval,
		Log:       log,
	}
	return a, compliance.Election{Namespace: o.namespace(), Name: compliance.DefaultLeaseName}, nil
}
