// Package offline runs the shared review path over manifests instead of live requests: the
// engine of `govhook test`, which CI pipelines use to check manifests before they reach a
// cluster, of `govhook audit`, which judges a cluster's objects, and of the fixture tests.
package offline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/review"
)

// Options shape how documents become requests.
type Options struct {
	// Operation is the admission operation each document is judged as (CREATE by default).
	// An UPDATE sends the document as both object and old object.
	Operation admissionv1.Operation
	// Username is the requesting user the review sees.
	Username string
	// DefaultNamespace is the namespace of namespaced objects that name none, as kubectl's
	// context namespace would be; empty leaves them without one.
	DefaultNamespace string
	// Namespaces holds the metadata of namespaces that are not among the documents (a
	// cluster's).
	Namespaces map[string]*input.Namespace
	// ServiceAccounts holds ServiceAccounts that are not among the documents (a cluster's).
	ServiceAccounts ServiceAccounts
	// NamespaceLabels, when not nil, are the labels of every namespace known neither from
	// the documents nor from Namespaces.
	NamespaceLabels map[string]string
	// AllowUnknownKinds judges objects of kinds no Kubernetes API serves (and no
	// CustomResourceDefinition among the documents defines) instead of refusing them.
	AllowUnknownKinds bool
	// Workers bounds the documents reviewed at once; 0 means one per core.
	Workers int
	// Observe, when set, is called with every review (request, namespace metadata, result)
	// from the worker that made it, so concurrently; an error becomes one of Run's errors.
	Observe func(ctx context.Context, req *admissionv1.AdmissionRequest, ns *input.Namespace, res review.Result) error
}

// Run reviews every document as an admission request, on every core. Namespace metadata
// comes from the Namespace objects among docs, then from o; the ServiceAccount a pod will run
// as, from the ServiceAccount objects among docs, then from o. It returns the results in
// document order; a document the engine fails on is a result with decision error. The
// error, when not nil, joins (errors.Join) one error per document that could not be judged at
// all: an unknown kind, a broken embedded AdmissionReview.
func Run(ctx context.Context, r *review.Reviewer, docs []manifests.Document, o Options) ([]Result, error) {
	k := newKinds(docs)
	namespaces := maps.Clone(o.Namespaces)
	if namespaces == nil {
		namespaces = map[string]*input.Namespace{}
	}
	for _, d := range docs {
		if d.Meta.Kind == "Namespace" && d.Meta.APIVersion == "v1" {
			m := d.Meta.Metadata
			namespaces[m.Name] = input.NewNamespace(m.Name, m.Labels, m.Annotations)
		}
	}
	// The accounts of o are copied only when docs hold some: a scan passes the whole
	// cluster's with every page.
	if own := ServiceAccountsOf(docs, o.DefaultNamespace); len(own) > 0 {
		accounts := maps.Clone(o.ServiceAccounts)
		if accounts == nil {
			accounts = ServiceAccounts{}
		}
		maps.Copy(accounts, own)
		o.ServiceAccounts = accounts
	}
	results := make([]Result, len(docs))
	errs := make([]error, len(docs))
	done := make([]bool, len(docs))
	forEach(ctx, len(docs), o.Workers, func(i int) {
		results[i], errs[i] = reviewOne(ctx, r, docs[i], k, namespaces, o)
		done[i] = true
	})
	var out []Result
	var problems []error
	for i := range docs {
		switch {
		case !done[i]:
			problems = append(problems, fmt.Errorf("%s: document %d: not reviewed: %w", docs[i].Source, docs[i].Index, ctx.Err()))
		case errs[i] != nil:
			problems = append(problems, errs[i])
		default:
			out = append(out, results[i])
		}
	}
	return out, errors.Join(problems...)
}

// reviewOne reviews one document.
func reviewOne(ctx context.Context, r *review.Reviewer, d manifests.Document, k *kinds, namespaces map[string]*input.Namespace, o Options) (Result, error) {
	req, err := request(d, k, o)
	if err != nil {
		return Result{}, &manifests.InputError{Source: d.Source, Index: d.Index, Line: d.Line, Err: err}
	}
	ns := namespaces[req.Namespace]
	if ns == nil && req.Namespace != "" && o.NamespaceLabels != nil {
		ns = input.NewNamespace(req.Namespace, o.NamespaceLabels, nil)
	}
	res, err := r.Review(ctx, req, ns, o.ServiceAccounts)
	result := Result{
		Source:     d.Source,
		Line:       d.Line,
		APIVersion: schema.GroupVersion{Group: req.Kind.Group, Version: req.Kind.Version}.String(),
		Kind:       req.Kind.Kind,
		Namespace:  req.Namespace,
		Name:       req.Name,
		Decision:   res.Decision,
	}
	if req.Name == "" {
		result.Name = d.Meta.Metadata.GenerateName
	}
	if err != nil {
		result.Error = err.Error()
		return result, nil
	}
	if findings := res.Decision.Findings; len(findings) > 0 {
		fields := make([]string, len(findings))
		for i, f := range findings {
			fields[i] = f.Field
		}
		result.FieldLines = d.FieldLines(fields)
	}
	if o.Observe != nil {
		if err := o.Observe(ctx, req, ns, res); err != nil {
			return result, fmt.Errorf("%s %s: %w", result.Kind, result.Name, err)
		}
	}
	return result, nil
}

// Request makes the admission request the kube-apiserver would send for creating (or
// updating) the document's object, knowing only the built-in kinds; nil when the document
// cannot be one (an invalid apiVersion, an AdmissionReview without request).
func Request(d manifests.Document, o Options) *admissionv1.AdmissionRequest {
	o.AllowUnknownKinds = true
	req, err := request(d, newKinds(nil), o)
	if err != nil {
		return nil
	}
	return req
}

// request makes the admission request the kube-apiserver would send for creating (or
// updating) the document's object; a document that is itself an AdmissionReview (how
// fixtures express other operations, subresources and users) gives its own request.
func request(d manifests.Document, k *kinds, o Options) (*admissionv1.AdmissionRequest, error) {
	if d.Meta.Kind == "AdmissionReview" && d.Meta.APIVersion == admissionv1.SchemeGroupVersion.String() {
		return reviewRequest(d)
	}
	gv, err := schema.ParseGroupVersion(d.Meta.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("apiVersion %q is not valid: %w", d.Meta.APIVersion, err)
	}
	gvk := gv.WithKind(d.Meta.Kind)
	info := kindInfo{resource: d.Resource, namespaced: d.Meta.Metadata.Namespace != ""}
	if d.Resource == "" {
		var known bool
		if info, known = k.lookup(gvk); !known && !o.AllowUnknownKinds {
			return nil, fmt.Errorf("unknown kind %q of apiVersion %q: no Kubernetes API serves it and no CustomResourceDefinition among the manifests defines it (--allow-unknown-kinds judges it anyway)", d.Meta.Kind, d.Meta.APIVersion)
		}
	}
	op := o.Operation
	if op == "" {
		op = admissionv1.Create
	}
	object := d.JSON
	namespace := d.Meta.Metadata.Namespace
	switch {
	case !info.namespaced:
		namespace = ""
	case namespace == "" && o.DefaultNamespace != "":
		namespace = o.DefaultNamespace
		if object, err = withNamespace(object, namespace); err != nil {
			return nil, err
		}
	}
	uid := types.UID(d.Meta.Metadata.UID) // a cluster object's: evidence then names the object
	if uid == "" {
		uid = types.UID(fmt.Sprintf("offline-%s-%d-%d", d.Source, d.Index, d.Item+1))
	}
	req := &admissionv1.AdmissionRequest{
		UID:       uid,
		Kind:      metav1.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: d.Meta.Kind},
		Resource:  metav1.GroupVersionResource{Group: gv.Group, Version: gv.Version, Resource: info.resource},
		Name:      d.Meta.Metadata.Name,
		Namespace: namespace,
		Operation: op,
		Object:    runtime.RawExtension{Raw: object},
	}
	req.RequestKind, req.RequestResource = &req.Kind, &req.Resource
	req.UserInfo.Username = o.Username
	if op == admissionv1.Update {
		req.OldObject = runtime.RawExtension{Raw: object}
	}
	return req, nil
}

// withNamespace sets metadata.namespace, as the apiserver does before admission.
func withNamespace(object []byte, namespace string) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(object, &obj); err != nil {
		return nil, err
	}
	var metadata map[string]json.RawMessage
	if raw, ok := obj["metadata"]; ok {
		if err := json.Unmarshal(raw, &metadata); err != nil {
			return nil, fmt.Errorf("metadata is not an object: %w", err)
		}
	}
	if metadata == nil {
		metadata = map[string]json.RawMessage{}
	}
	metadata["namespace"], _ = json.Marshal(namespace)
	var err error
	if obj["metadata"], err = json.Marshal(metadata); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}

// reviewRequest returns the request of a document that is an AdmissionReview.
func reviewRequest(d manifests.Document) (*admissionv1.AdmissionRequest, error) {
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(d.JSON, &review); err != nil {
		return nil, fmt.Errorf("not a valid AdmissionReview: %w", err)
	}
	if review.Request == nil {
		return nil, errors.New("AdmissionReview has no request")
	}
	return review.Request, nil
}

// ServiceAccountsOf returns the ServiceAccount objects among docs, those without a namespace
// in defaultNamespace (as the requests made of docs are).
func ServiceAccountsOf(docs []manifests.Document, defaultNamespace string) ServiceAccounts {
	accounts := ServiceAccounts{}
	for _, d := range docs {
		if d.Meta.Kind == "ServiceAccount" && d.Meta.APIVersion == "v1" {
			accounts.Add(input.ServiceAccountOf(d.JSON, defaultNamespace))
		}
	}
	return accounts
}

// ServiceAccounts holds ServiceAccounts by namespace and name; it implements
// review.ServiceAccounts.
type ServiceAccounts map[types.NamespacedName]*input.ServiceAccount

// Add holds sa, replacing an account of the same namespace and name; nil is ignored.
func (s ServiceAccounts) Add(sa *input.ServiceAccount) {
	if sa != nil {
		s[types.NamespacedName{Namespace: sa.Namespace, Name: sa.Name}] = sa
	}
}

// ServiceAccount returns the named account, nil when it is not held.
func (s ServiceAccounts) ServiceAccount(_ context.Context, namespace, name string) *input.ServiceAccount {
	return s[types.NamespacedName{Namespace: namespace, Name: name}]
}
