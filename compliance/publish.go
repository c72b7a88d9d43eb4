package compliance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/go-logr/logr"
	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ReportName is the name of govhook's Report in each namespace and of its ClusterReport.
const ReportName = "govhook-audit"

// Labels and annotations on govhook's reports.
const (
	// LabelManagedBy marks the reports govhook owns (value "govhook"): only those are updated
	// or deleted.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// AnnotationAuditor names the replica whose run wrote the report.
	AnnotationAuditor = "govhook.io/auditor"
	// AnnotationOmitted counts the results left out of the report to keep it under its
	// MaxResults (pass results go first); the summary still counts them.
	AnnotationOmitted = "govhook.io/omitted-results"
)

// listPage is the Limit of each list call the publisher makes.
const listPage = 500

// NewScheme returns a scheme that knows the Kubernetes built-in types and OpenReports.
func NewScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(s), openreportsv1alpha1.Install(s)); err != nil {
		return nil, fmt.Errorf("build scheme: %w", err)
	}
	return s, nil
}

// Publisher writes a run's results as OpenReports: one Report named ReportName per namespace
// that has results, updated in place, and one ClusterReport for the cluster-scoped objects.
// Reports of namespaces that are gone, terminating or without results are deleted. Without
// the OpenReports CRDs it logs that once and writes nothing.
type Publisher struct {
	// Client reaches the cluster directly (no cache: reports are written, not watched).
	Client client.Client
	// Auditor names the replica in AnnotationAuditor.
	Auditor string
	Log     logr.Logger

	warned bool
}

// Publish writes the reports and returns how many it wrote.
func (p *Publisher) Publish(ctx context.Context, namespaced map[string]*scope, cluster *scope) (int, error) {
	n, err := p.publish(ctx, namespaced, cluster)
	if meta.IsNoMatchError(err) {
		if !p.warned {
			p.Log.Info("the OpenReports CRDs (openreports.io/v1alpha1 Report, ClusterReport) are not installed: the audit runs without writing reports")
			p.warned = true
		}
		return 0, nil
	}
	return n, err
}

func (p *Publisher) publish(ctx context.Context, namespaced map[string]*scope, cluster *scope) (int, error) {
	live, err := p.liveNamespaces(ctx)
	if err != nil {
		return 0, err
	}
	written := 0
	if err := p.writeCluster(ctx, cluster); err != nil {
		return written, err
	}
	if len(cluster.results) > 0 {
		written++
	}
	keep := map[string]bool{}
	for _, ns := range slices.Sorted(maps.Keys(namespaced)) {
		s := namespaced[ns]
		if !live[ns] || len(s.results) == 0 {
			continue
		}
		if err := p.writeNamespace(ctx, ns, s); err != nil {
			return written, err
		}
		keep[ns] = true
		written++
	}
	return written, p.prune(ctx, keep)
}

// liveNamespaces lists the namespaces that exist and are not being deleted (metadata only).
func (p *Publisher) liveNamespaces(ctx context.Context) (map[string]bool, error) {
	live := map[string]bool{}
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("NamespaceList"))
	for cont := ""; ; {
		if err := p.Client.List(ctx, list, client.Limit(listPage), client.Continue(cont)); err != nil {
			return nil, fmt.Errorf("list namespaces: %w", err)
		}
		for _, ns := range list.Items {
			if ns.DeletionTimestamp == nil {
				live[ns.Name] = true
			}
		}
		if cont = list.Continue; cont == "" {
			return live, nil
		}
	}
}

func (p *Publisher) writeNamespace(ctx context.Context, ns string, s *scope) error {
	r := &openreportsv1alpha1.Report{}
	r.Namespace, r.Name = ns, ReportName
	return p.upsert(ctx, r, func() {
		r.Source, r.Summary, r.Results = Source, s.summary, s.sorted()
		r.Configuration = &openreportsv1alpha1.ReportConfiguration{Limits: openreportsv1alpha1.Limits{MaxResults: s.max}}
		p.mark(r, s)
	})
}

func (p *Publisher) writeCluster(ctx context.Context, s *scope) error {
	r := &openreportsv1alpha1.ClusterReport{}
	r.Name = ReportName
	if len(s.results) == 0 {
		return client.IgnoreNotFound(p.Client.Delete(ctx, r))
	}
	return p.upsert(ctx, r, func() {
		r.Source, r.Summary, r.Results = Source, s.summary, s.sorted()
		r.Configuration = &openreportsv1alpha1.ReportConfiguration{Limits: openreportsv1alpha1.Limits{MaxResults: s.max}}
		p.mark(r, s)
	})
}

// mark sets the labels and annotations govhook's reports carry.
func (p *Publisher) mark(obj metav1.Object, s *scope) {
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelManagedBy] = Source
	obj.SetLabels(labels)
	annotations := obj.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationAuditor] = p.Auditor
	delete(annotations, AnnotationOmitted)
	if s.omitted > 0 {
		annotations[AnnotationOmitted] = strconv.Itoa(s.omitted)
	}
	obj.SetAnnotations(annotations)
}

// upsert updates obj in place (creating it when missing) with the fields set applies.
func (p *Publisher) upsert(ctx context.Context, obj client.Object, set func()) error {
	key := client.ObjectKeyFromObject(obj)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		err := p.Client.Get(ctx, key, obj)
		switch {
		case apierrors.IsNotFound(err):
			set()
			if err := p.Client.Create(ctx, obj); err != nil {
				return fmt.Errorf("create %s: %w", key, err)
			}
			return nil
		case err != nil:
			return fmt.Errorf("get report %s: %w", key, err)
		}
		set()
		if err := p.Client.Update(ctx, obj); err != nil {
			return fmt.Errorf("update %s: %w", key, err)
		}
		return nil
	})
}

// prune deletes govhook's Reports in namespaces outside keep.
func (p *Publisher) prune(ctx context.Context, keep map[string]bool) error {
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(openreportsv1alpha1.SchemeGroupVersion.WithKind("ReportList"))
	var stale []metav1.PartialObjectMetadata
	for cont := ""; ; {
		if err := p.Client.List(ctx, list, client.MatchingLabels{LabelManagedBy: Source}, client.Limit(listPage), client.Continue(cont)); err != nil {
			return fmt.Errorf("list reports: %w", err)
		}
		for _, r := range list.Items {
			if r.Name == ReportName && !keep[r.Namespace] {
				stale = append(stale, r)
			}
		}
		if cont = list.Continue; cont == "" {
			break
		}
	}
	for i := range stale {
		r := &openreportsv1alpha1.Report{}
		r.Namespace, r.Name = stale[i].Namespace, stale[i].Name
		if err := client.IgnoreNotFound(p.Client.Delete(ctx, r)); err != nil {
			return fmt.Errorf("delete report %s/%s: %w", r.Namespace, r.Name, err)
		}
		p.Log.Info("deleted the report of a namespace that is gone or has no results", "namespace", r.Namespace)
	}
	return nil
}
