package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// newReviewer reviews with POD-001 and OWN-002 only, so the expectations hold as the catalog
// grows.
func newReviewer(t *testing.T) *review.Reviewer {
	t.Helper()
	engine, err := policies.Embedded(t.Context(), "POD-001", "OWN-002")
	if err != nil {
		t.Fatal(err)
	}
	return review.New(engine, config.Default(), nil)
}

// seen is what one review was given.
type seen struct {
	Resource        string
	Namespace       string
	ObjectNamespace string
	NamespaceLabels map[string]string
	HasOldObject    bool
	Operation       admissionv1.Operation
}

// observe records each request by name.
func observe(mu *sync.Mutex, got map[string]seen) func(context.Context, *admissionv1.AdmissionRequest, *input.Namespace, review.Result) error {
	return func(_ context.Context, req *admissionv1.AdmissionRequest, ns *input.Namespace, _ review.Result) error {
		var obj struct {
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(req.Object.Raw, &obj); err != nil {
			return err
		}
		s := seen{Resource: req.Resource.Resource, Namespace: req.Namespace, ObjectNamespace: obj.Metadata.Namespace, HasOldObject: req.OldObject.Raw != nil, Operation: req.Operation}
		if ns != nil {
			s.NamespaceLabels = ns.Labels
		}
		mu.Lock()
		defer mu.Unlock()
		got[req.Name] = s
		return nil
	}
}

const requestManifests = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {environment: prod}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: in-shop, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: no-namespace}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ingress, namespace: elsewhere}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-role, namespace: ignored}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Cluster
  versions: [{name: v1}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: widget}
`

func TestRunRequests(t *testing.T) {
	docs, errs := manifests.Parse("m.yaml", []byte(requestManifests))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tests := []struct {
		name string
		o    Options
		want map[string]seen
	}{
		{
			name: "defaults: CREATE, namespace metadata only from the manifests",
			o:    Options{DefaultNamespace: "default"},
			want: map[string]seen{
				"shop":                {Resource: "namespaces", Operation: admissionv1.Create},
				"in-shop":             {Resource: "configmaps", Namespace: "shop", ObjectNamespace: "shop", NamespaceLabels: map[string]string{"environment": "prod"}, Operation: admissionv1.Create},
				"no-namespace":        {Resource: "configmaps", Namespace: "default", ObjectNamespace: "default", Operation: admissionv1.Create},
				"ingress":             {Resource: "ingresses", Namespace: "elsewhere", ObjectNamespace: "elsewhere", Operation: admissionv1.Create},
				"cluster-role":        {Resource: "clusterroles", ObjectNamespace: "ignored", Operation: admissionv1.Create},
				"widgets.example.com": {Resource: "customresourcedefinitions", Operation: admissionv1.Create},
				"widget":              {Resource: "widgets", Operation: admissionv1.Create},
			},
		},
		{
			name: "UPDATE, another default namespace, labels for namespaces not in the manifests",
			o:    Options{Operation: admissionv1.Update, DefaultNamespace: "team", NamespaceLabels: map[string]string{"environment": "dev"}},
			want: map[string]seen{
				"shop":                {Resource: "namespaces", HasOldObject: true, Operation: admissionv1.Update},
				"in-shop":             {Resource: "configmaps", Namespace: "shop", ObjectNamespace: "shop", NamespaceLabels: map[string]string{"environment": "prod"}, HasOldObject: true, Operation: admissionv1.Update},
				"no-namespace":        {Resource: "configmaps", Namespace: "team", ObjectNamespace: "team", NamespaceLabels: map[string]string{"environment": "dev"}, HasOldObject: true, Operation: admissionv1.Update},
				"ingress":             {Resource: "ingresses", Namespace: "elsewhere", ObjectNamespace: "elsewhere", NamespaceLabels: map[string]string{"environment": "dev"}, HasOldObject: true, Operation: admissionv1.Update},
				"cluster-role":        {Resource: "clusterroles", ObjectNamespace: "ignored", HasOldObject: true, Operation: admissionv1.Update},
				"widgets.example.com": {Resource: "customresourcedefinitions", HasOldObject: true, Operation: admissionv1.Update},
				"widget":              {Resource: "widgets", HasOldObject: true, Operation: admissionv1.Update},
			},
		},
		{
			name: "no default namespace, metadata of a cluster's namespaces",
			o:    Options{Namespaces: map[string]*input.Namespace{"elsewhere": {Name: "elsewhere", Labels: map[string]string{"owner": "x"}}}},
			want: map[string]seen{
				"shop":                {Resource: "namespaces", Operation: admissionv1.Create},
				"in-shop":             {Resource: "configmaps", Namespace: "shop", ObjectNamespace: "shop", NamespaceLabels: map[string]string{"environment": "prod"}, Operation: admissionv1.Create},
				"no-namespace":        {Resource: "configmaps", Operation: admissionv1.Create},
				"ingress":             {Resource: "ingresses", Namespace: "elsewhere", ObjectNamespace: "elsewhere", NamespaceLabels: map[string]string{"owner": "x"}, Operation: admissionv1.Create},
				"cluster-role":        {Resource: "clusterroles", ObjectNamespace: "ignored", Operation: admissionv1.Create},
				"widgets.example.com": {Resource: "customresourcedefinitions", Operation: admissionv1.Create},
				"widget":              {Resource: "widgets", Operation: admissionv1.Create},
			},
		},
	}
	r := newReviewer(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			got := map[string]seen{}
			tc.o.Observe = observe(&mu, got)
			results, err := Run(t.Context(), r, docs, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != len(docs) {
				t.Errorf("%d results for %d documents", len(results), len(docs))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunKinds(t *testing.T) {
	const stream = `apiVersion: v1
kind: Nonsense
metadata: {name: a}
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: b}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: c}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: d}
`
	docs, errs := manifests.Parse("k.yaml", []byte(stream))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := newReviewer(t)
	tests := []struct {
		name      string
		allow     bool
		wantNames []string
		wantErrs  []string
	}{
		{"unknown and removed kinds are input errors naming file and document", false, []string{"d"}, []string{
			`k.yaml: document 1 (line 1): unknown kind "Nonsense" of apiVersion "v1": no Kubernetes API serves it and no CustomResourceDefinition among the manifests defines it (--allow-unknown-kinds judges it anyway)`,
			`k.yaml: document 2 (line 5): unknown kind "Deployment" of apiVersion "extensions/v1beta1": no Kubernetes API serves it and no CustomResourceDefinition among the manifests defines it (--allow-unknown-kinds judges it anyway)`,
			`k.yaml: document 3 (line 9): unknown kind "Widget" of apiVersion "example.com/v1": no Kubernetes API serves it and no CustomResourceDefinition among the manifests defines it (--allow-unknown-kinds judges it anyway)`,
		}},
		{"AllowUnknownKinds judges them", true, []string{"a", "b", "c", "d"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			results, err := Run(t.Context(), r, docs, Options{AllowUnknownKinds: tc.allow})
			var names []string
			for _, res := range results {
				names = append(names, res.Name)
			}
			if diff := cmp.Diff(tc.wantNames, names); diff != "" {
				t.Errorf("judged (-want +got):\n%s", diff)
			}
			var texts []string
			if err != nil {
				texts = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tc.wantErrs, texts); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunResults(t *testing.T) {
	const stream = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {owner: payments}}
spec:
  template:
    metadata: {labels: {owner: payments}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        securityContext:
          privileged: true
---
apiVersion: admission.k8s.io/v1
kind: AdmissionReview
request:
  uid: "1"
  kind: {group: "", version: v1, kind: Pod}
  resource: {group: "", version: v1, resource: pods}
  name: broken
  namespace: shop
  operation: CREATE
  object: [not, an, object]
`
	docs, errs := manifests.Parse("r.yaml", []byte(stream))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	results, err := Run(t.Context(), newReviewer(t), docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Name, APIVersion string
		Outcome          decision.Outcome
		Policies         []string
		FieldLines       []int
		Error            string
	}
	var got []result
	for _, r := range results {
		res := result{Name: r.Name, APIVersion: r.APIVersion, Outcome: r.Decision.Outcome, FieldLines: r.FieldLines, Error: r.Error}
		for _, f := range r.Decision.Findings {
			res.Policies = append(res.Policies, f.Policy)
		}
		got = append(got, res)
	}
	want := []result{
		{Name: "web", APIVersion: "apps/v1", Outcome: decision.OutcomeDeny, Policies: []string{"POD-001"}, FieldLines: []int{12}},
		{Name: "broken", APIVersion: "v1", Outcome: decision.OutcomeError, Error: "build policy input: decode request object: want a JSON object, got an array"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// TestRunKeepsOrder reviews many documents on several workers and expects them back in order.
func TestRunKeepsOrder(t *testing.T) {
	var b strings.Builder
	var want []string
	for i := range 300 {
		fmt.Fprintf(&b, "---\n%s", configMap(fmt.Sprintf("cm-%03d", i)))
		want = append(want, fmt.Sprintf("cm-%03d", i))
	}
	docs, errs := manifests.Parse("many.yaml", []byte(b.String()))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	results, err := Run(t.Context(), newReviewer(t), docs, Options{Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range results {
		got = append(got, r.Name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestRunCancelled(t *testing.T) {
	docs, _ := manifests.Parse("c.yaml", []byte(configMap("a")+"---\n"+configMap("b")))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	results, err := Run(ctx, newReviewer(t), docs, Options{})
	if len(results) != 0 || err == nil || !strings.Contains(err.Error(), "c.yaml: document 1: not reviewed: context canceled") {
		t.Fatalf("want no results and a not-reviewed error per document, got %d results, %v", len(results), err)
	}
}

func configMap(name string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n"
}
