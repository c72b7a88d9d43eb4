// Package scan judges the objects already in a cluster with the webhook's own review path
// (`govhook audit`): it lists every kind the policy catalog covers, page by page, and reviews
// each object as if it were being created now, streaming the results so that memory stays
// bounded by a page, not by the cluster.
package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/review"
)

// DefaultPageSize is how many objects one list call returns.
const DefaultPageSize = 500

// Progress tells how far a scan is: the kind being listed (Kind of Kinds, from 1) and the
// objects of it judged so far out of an estimate of its total (0 when the server gives none).
type Progress struct {
	Resource    string
	Kind, Kinds int
	Done, Total int
}

// Scanner lists and judges a cluster's objects.
type Scanner struct {
	Client dynamic.Interface
	// Mapper resolves Kinds to the resources the cluster serves (discovery).
	Mapper   meta.RESTMapper
	Reviewer *review.Reviewer
	// PageSize is the Limit of each list call; 0 means DefaultPageSize.
	PageSize int64
	// Workers bounds the objects reviewed at once; 0 means one per core.
	Workers int
	// Evidence, when set, receives a record of type evidence.TypeAudit per object judged: an
	// auditor sees periodic drift checks in the chain format of admissions.
	Evidence evidence.Recorder
	// Progress, when set, is told after every page.
	Progress func(Progress)
	// NewID makes evidence record ids; nil means random UUIDs.
	NewID func() string
}

// Scan judges every object of Kinds that the cluster serves and writes each result to w as
// its page is done. A kind the cluster does not serve is skipped; a kind that cannot be
// listed (forbidden, or a continue token that expired) is reported to w as a problem and the
// scan goes on. The error is for what stops the scan: a broken connection, a failing writer
// or evidence recorder, a cancelled ctx.
func (s *Scanner) Scan(ctx context.Context, w output.Writer) error {
	type target struct {
		gk       schema.GroupKind
		resource schema.GroupVersionResource
	}
	var targets []target
	for _, gk := range Kinds {
		m, err := s.Mapper.RESTMapping(gk)
		if meta.IsNoMatchError(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("resolve %s: %w", gk, err)
		}
		targets = append(targets, target{gk, m.Resource})
	}
	known := clusterFacts{namespaces: map[string]*input.Namespace{}, accounts: offline.ServiceAccounts{}}
	for i, t := range targets {
		p := Progress{Resource: t.resource.Resource, Kind: i + 1, Kinds: len(targets)}
		if err := s.scanKind(ctx, t.resource, known, p, w); err != nil {
			return err
		}
	}
	return nil
}

// clusterFacts is what the scan has learnt of the cluster that later kinds are judged with: the
// Namespaces (listed first) and the ServiceAccounts (listed before the pod-bearing kinds).
// Only what policies read is kept, so it stays small next to a page.
type clusterFacts struct {
	namespaces map[string]*input.Namespace
	accounts   offline.ServiceAccounts
}

// scanKind lists one resource page by page, judging each page before fetching the next.
func (s *Scanner) scanKind(ctx context.Context, gvr schema.GroupVersionResource, known clusterFacts, p Progress, w output.Writer) error {
	limit := s.PageSize
	if limit <= 0 {
		limit = DefaultPageSize
	}
	opts := offline.Options{Namespaces: known.namespaces, ServiceAccounts: known.accounts, Workers: s.Workers}
	if s.Evidence != nil {
		opts.Observe = s.record
	}
	for cont := ""; ; {
		list, err := s.Client.Resource(gvr).List(ctx, metav1.ListOptions{Limit: limit, Continue: cont})
		if err != nil {
			return s.listFailed(gvr, p, err, w)
		}
		docs, err := documents(list, gvr.Resource)
		if err != nil {
			return err
		}
		if gvr.Group == "" && gvr.Resource == "namespaces" {
			for _, d := range docs {
				m := d.Meta.Metadata
				known.namespaces[m.Name] = input.NewNamespace(m.Name, m.Labels, m.Annotations)
			}
		}
		if gvr.Group == "" && gvr.Resource == "serviceaccounts" {
			for _, d := range docs {
				known.accounts.Add(input.ServiceAccountOf(d.JSON, ""))
			}
		}
		results, err := offline.Run(ctx, s.Reviewer, docs, opts)
		if err := ctx.Err(); err != nil {
			return err
		}
		if err != nil {
			return err
		}
		for _, r := range results {
			if err := w.Result(r); err != nil {
				return err
			}
		}
		p.Done += len(docs)
		p.Total = p.Done
		if remaining := list.GetRemainingItemCount(); remaining != nil {
			p.Total += int(*remaining)
		}
		if s.Progress != nil {
			s.Progress(p)
		}
		next := list.GetContinue()
		if next == "" {
			return nil
		}
		if next == cont {
			return fmt.Errorf("list %s: the server repeated continue token %q", gvr.Resource, cont)
		}
		cont = next
	}
}

// listFailed turns an API error on one resource into a problem of the report, so the other
// kinds are still judged; any other error stops the scan.
func (s *Scanner) listFailed(gvr schema.GroupVersionResource, p Progress, err error, w output.Writer) error {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return fmt.Errorf("list %s: %w", gvr.Resource, err)
	}
	msg := fmt.Sprintf("cannot list %s: %v", gvr.Resource, err)
	if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		msg = fmt.Sprintf("listing %s expired after %d objects (the snapshot is too old); the rest of them were not judged", gvr.Resource, p.Done)
	}
	return w.Problem(output.Problem{Message: msg})
}

// documents turns a page into documents, without what is not policy input: managed fields
// (bulky) and the values of Secrets (never read, never hashed into evidence; keys stay).
func documents(list *unstructured.UnstructuredList, resource string) ([]manifests.Document, error) {
	docs := make([]manifests.Document, 0, len(list.Items))
	for i := range list.Items {
		obj := list.Items[i].Object
		unstructured.RemoveNestedField(obj, "metadata", "managedFields")
		if resource == "secrets" {
			redact(obj)
		}
		raw, err := json.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", resource, err)
		}
		d, err := manifests.NewDocument(raw, resource)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", resource, err)
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// redact blanks every value of a Secret's data and stringData.
func redact(obj map[string]any) {
	for _, field := range []string{"data", "stringData"} {
		if values, ok := obj[field].(map[string]any); ok {
			for k := range values {
				values[k] = ""
			}
		}
	}
}

// record appends the audit evidence record of one decision.
func (s *Scanner) record(ctx context.Context, req *admissionv1.AdmissionRequest, _ *input.Namespace, res review.Result) error {
	id := uuid.NewString()
	if s.NewID != nil {
		id = s.NewID()
	}
	rec := evidence.NewRecord(evidence.TypeAudit, id, req, res.Decision, res.Basis, nil)
	if err := s.Evidence.Record(ctx, &rec); err != nil {
		return fmt.Errorf("record audit evidence: %w", err)
	}
	return nil
}
