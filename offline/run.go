package offline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/review"
)

// Result is the decision on one document.
type Result struct {
	Source    string            `json:"source"`
	Line      int               `json:"line"`
	Kind      string            `json:"kind"`
	Namespace string            `json:"namespace,omitempty"`
	Name      string            `json:"name"`
	Decision  decision.Decision `json:"-"`
}

// Options shape how documents become requests.
type Options struct {
	// Operation is the admission operation each document is judged as (CREATE by default).
	Operation admissionv1.Operation
	// Username is the requesting user the review sees.
	Username string
}

// Run reviews every document as an admission request. Namespace metadata comes from the
// Namespace objects among docs. It stops at the first document the engine cannot evaluate.
func Run(ctx context.Context, r *review.Reviewer, docs []Document, o Options) ([]Result, error) {
	namespaces := map[string]*input.Namespace{}
	for _, d := range docs {
		if d.Meta.Kind == "Namespace" && d.Meta.APIVersion == "v1" {
			namespaces[d.Meta.Metadata.Name] = &input.Namespace{Name: d.Meta.Metadata.Name, Labels: d.Meta.Metadata.Labels, Annotations: d.Meta.Metadata.Annotations}
		}
	}
	results := make([]Result, 0, len(docs))
	for _, d := range docs {
		req, err := reviewRequest(d)
		if err != nil {
			return results, fmt.Errorf("%s: document %d: %w", d.Source, d.Index, err)
		}
		if req == nil {
			req = Request(d, o)
		}
		res, err := r.Review(ctx, req, namespaces[req.Namespace])
		if err != nil {
			return results, fmt.Errorf("%s: document %d: %w", d.Source, d.Index, err)
		}
		results = append(results, Result{
			Source:    d.Source,
			Line:      d.Line,
			Kind:      req.Kind.Kind,
			Namespace: req.Namespace,
			Name:      req.Name,
			Decision:  res.Decision,
		})
	}
	return results, nil
}

// Request makes the admission request the kube-apiserver would send for creating (or
// updating) the document's object.
func Request(d Document, o Options) *admissionv1.AdmissionRequest {
	op := o.Operation
	if op == "" {
		op = admissionv1.Create
	}
	gv, _ := schema.ParseGroupVersion(d.Meta.APIVersion)
	gvk := metav1.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: d.Meta.Kind}
	req := &admissionv1.AdmissionRequest{
		UID:       types.UID(fmt.Sprintf("offline-%s-%d", d.Source, d.Index)),
		Kind:      gvk,
		Resource:  metav1.GroupVersionResource{Group: gv.Group, Version: gv.Version, Resource: Resource(d.Meta.Kind)},
		Name:      d.Meta.Metadata.Name,
		Namespace: d.Meta.Metadata.Namespace,
		Operation: op,
		Object:    runtime.RawExtension{Raw: d.JSON},
	}
	req.RequestKind, req.RequestResource = &req.Kind, &req.Resource
	req.UserInfo.Username = o.Username
	if op == admissionv1.Update {
		req.OldObject = runtime.RawExtension{Raw: d.JSON}
	}
	return req
}

// irregularResources are the kinds whose resource name is not lower-case kind + "s".
var irregularResources = map[string]string{
	"Ingress":                   "ingresses",
	"NetworkPolicy":             "networkpolicies",
	"PodSecurityPolicy":         "podsecuritypolicies",
	"StorageClass":              "storageclasses",
	"Endpoints":                 "endpoints",
	"IngressClass":              "ingressclasses",
	"PriorityClass":             "priorityclasses",
	"RuntimeClass":              "runtimeclasses",
	"ResourceQuota":             "resourcequotas",
	"CustomResourceDefinition":  "customresourcedefinitions",
	"ValidatingAdmissionPolicy": "validatingadmissionpolicies",
	"MutatingAdmissionPolicy":   "mutatingadmissionpolicies",
}

// Resource names the API resource of a kind (offline, without discovery).
func Resource(kind string) string {
	if r, ok := irregularResources[kind]; ok {
		return r
	}
	return strings.ToLower(kind) + "s"
}

// reviewRequest returns the request of a document that is itself an AdmissionReview (how
// fixtures express UPDATE, DELETE, CONNECT, subresources and users), nil for any other object.
func reviewRequest(d Document) (*admissionv1.AdmissionRequest, error) {
	if d.Meta.Kind != "AdmissionReview" {
		return nil, nil
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(d.JSON, &review); err != nil {
		return nil, err
	}
	if review.Request == nil {
		return nil, errors.New("AdmissionReview has no request")
	}
	return review.Request, nil
}
