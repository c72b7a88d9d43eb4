package scan

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/internal/evidencetest"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// cluster is a fake API: objects per resource, served in pages, with failures to inject.
type cluster struct {
	mu      sync.Mutex
	objects map[string][]map[string]any
	fail    map[string]func(page int) error
	calls   map[string][]int64 // the Limit of every list call, per resource
}

// Resource implements dynamic.Interface: only listing is served.
func (c *cluster) Resource(gvr schema.GroupVersionResource) dynamic.NamespaceableResourceInterface {
	return resourceClient{c: c, resource: gvr.Resource}
}

// resourceClient serves List; the embedded interface (nil) makes any other call panic.
type resourceClient struct {
	dynamic.NamespaceableResourceInterface
	c        *cluster
	resource string
}

func (r resourceClient) List(_ context.Context, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if fail := c.fail[r.resource]; fail != nil {
		if err := fail(len(c.calls[r.resource])); err != nil {
			return nil, err
		}
	}
	c.calls[r.resource] = append(c.calls[r.resource], opts.Limit)
	start, _ := strconv.Atoi(opts.Continue)
	all := c.objects[r.resource]
	end := min(start+int(opts.Limit), len(all))
	list := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "v1", "kind": "List"}}
	for _, o := range all[start:end] {
		list.Items = append(list.Items, unstructured.Unstructured{Object: runtime.DeepCopyJSON(o)})
	}
	if end < len(all) {
		list.SetContinue(strconv.Itoa(end))
		remaining := int64(len(all) - end)
		list.SetRemainingItemCount(&remaining)
	}
	return list, nil
}

var testResources = map[schema.GroupVersionKind]string{
	{Version: "v1", Kind: "Namespace"}:                                              "namespaces",
	{Version: "v1", Kind: "Pod"}:                                                    "pods",
	{Group: "apps", Version: "v1", Kind: "Deployment"}:                              "deployments",
	{Version: "v1", Kind: "Secret"}:                                                 "secrets",
	{Version: "v1", Kind: "ConfigMap"}:                                              "configmaps",
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}:        "clusterroles",
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}:              "networkpolicies",
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}:        "rolebindings",
	{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass"}:                  "storageclasses",
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}:               "roles",
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}: "clusterrolebindings",
}

// newScanner wires a Scanner to a fake cluster serving the test resources (and only them:
// other kinds are not served and must be skipped).
func newScanner(t *testing.T, c *cluster) *Scanner {
	t.Helper()
	c.calls = map[string][]int64{}
	var versions []schema.GroupVersion
	for gvk := range testResources {
		versions = append(versions, gvk.GroupVersion())
	}
	mapper := meta.NewDefaultRESTMapper(versions)
	for gvk, resource := range testResources {
		scope := meta.RESTScopeNamespace
		if strings.HasPrefix(gvk.Kind, "Cluster") || gvk.Kind == "Namespace" || gvk.Kind == "StorageClass" {
			scope = meta.RESTScopeRoot
		}
		mapper.AddSpecific(gvk, gvk.GroupVersion().WithResource(resource), gvk.GroupVersion().WithResource(strings.ToLower(gvk.Kind)), scope)
	}
	// Two policies, so the expectations hold as the catalog grows.
	engine, err := policies.Embedded(t.Context(), "POD-001", "OWN-002")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Exemptions.Namespaces = []string{"kube-system"}
	return &Scanner{Client: c, Mapper: mapper, Reviewer: review.New(engine, cfg, nil), PageSize: 2, Workers: 2}
}

func object(apiVersion, kind, namespace, name string, fields map[string]any) map[string]any {
	metadata := map[string]any{"name": name, "uid": "uid-" + name, "labels": map[string]any{"owner": "payments"},
		"managedFields": []any{map[string]any{"manager": "kubectl"}}}
	if namespace != "" {
		metadata["namespace"] = namespace
	}
	o := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": metadata}
	for k, v := range fields {
		o[k] = v
	}
	return o
}

func privilegedDeployment(namespace, name string) map[string]any {
	return object("apps/v1", "Deployment", namespace, name, map[string]any{"spec": map[string]any{"template": map[string]any{
		"metadata": map[string]any{"labels": map[string]any{"owner": "payments"}},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "app", "image": "nginx:1.27", "securityContext": map[string]any{"privileged": true}}}},
	}}})
}

// collected is a output.Writer that keeps what it is given.
type collected struct {
	results  []output.Result
	problems []output.Problem
	summary  output.Summary
}

func (c *collected) Result(r output.Result) error {
	c.results = append(c.results, r)
	return nil
}

func (c *collected) Problem(p output.Problem) error {
	c.problems = append(c.problems, p)
	return nil
}
func (c *collected) Close() error            { return nil }
func (c *collected) Summary() output.Summary { return c.summary }

func TestScan(t *testing.T) {
	c := &cluster{objects: map[string][]map[string]any{
		"namespaces": {object("v1", "Namespace", "", "shop", nil), object("v1", "Namespace", "", "kube-system", nil), object("v1", "Namespace", "", "web", nil)},
		"deployments": {
			privilegedDeployment("shop", "a"), privilegedDeployment("kube-system", "b"),
			object("apps/v1", "Deployment", "web", "c", map[string]any{"spec": map[string]any{"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"owner": "payments"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "app", "image": "nginx:1.27"}}},
			}}}),
		},
		"secrets":      {object("v1", "Secret", "shop", "s", map[string]any{"data": map[string]any{"password": "c2VjcmV0"}})},
		"clusterroles": {object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader", nil)},
	}}
	s := newScanner(t, c)
	ev := &evidencetest.Memory{}
	s.Evidence = ev
	var progress []Progress
	s.Progress = func(p Progress) { progress = append(progress, p) }
	w := &collected{}
	if err := s.Scan(t.Context(), w); err != nil {
		t.Fatal(err)
	}

	type judged struct {
		Object   string
		Decision string
		Policies []string
	}
	var got []judged
	for _, r := range w.results {
		j := judged{Object: r.Object(), Decision: string(r.Decision.Outcome)}
		for _, f := range r.Decision.Findings {
			j.Policies = append(j.Policies, f.Policy)
		}
		got = append(got, j)
	}
	want := []judged{
		{Object: "Namespace/shop", Decision: "allow"},
		{Object: "Namespace/kube-system", Decision: "allow"},
		{Object: "Namespace/web", Decision: "allow"},
		{Object: "Deployment/shop/a", Decision: "deny", Policies: []string{"POD-001"}},
		{Object: "Deployment/kube-system/b", Decision: "allow"}, // exempt by the config
		{Object: "Deployment/web/c", Decision: "allow"},
		{Object: "Secret/shop/s", Decision: "allow"},
		{Object: "ClusterRole/reader", Decision: "allow"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if len(w.problems) > 0 {
		t.Errorf("problems: %+v", w.problems)
	}

	// Every served kind is listed in pages of PageSize; kinds the cluster does not serve
	// (replicasets, ...) are skipped.
	wantCalls := map[string][]int64{
		"namespaces": {2, 2}, "pods": {2}, "deployments": {2, 2}, "configmaps": {2}, "secrets": {2},
		"networkpolicies": {2}, "roles": {2}, "rolebindings": {2}, "clusterroles": {2}, "clusterrolebindings": {2}, "storageclasses": {2},
	}
	if diff := cmp.Diff(wantCalls, c.calls); diff != "" {
		t.Errorf("list calls (-want +got):\n%s", diff)
	}
	wantProgress := []Progress{
		{Resource: "namespaces", Kind: 1, Kinds: 11, Done: 2, Total: 3},
		{Resource: "namespaces", Kind: 1, Kinds: 11, Done: 3, Total: 3},
		{Resource: "pods", Kind: 2, Kinds: 11},
		{Resource: "deployments", Kind: 3, Kinds: 11, Done: 2, Total: 3},
		{Resource: "deployments", Kind: 3, Kinds: 11, Done: 3, Total: 3},
	}
	if diff := cmp.Diff(wantProgress, progress[:5]); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}

	// One audit record per object judged, naming the object by its uid.
	if len(ev.Records()) != len(w.results) {
		t.Fatalf("%d evidence records for %d objects", len(ev.Records()), len(w.results))
	}
	for _, rec := range ev.Records() {
		if rec.Type != evidence.TypeAudit || rec.Operation != "" || !strings.HasPrefix(rec.UID, "uid-") || rec.PolicyDigest == "" || rec.ObjectSHA256 == "" {
			t.Errorf("audit record %+v", rec)
		}
		if rec.UID == "uid-a" && (rec.Decision != "deny" || len(rec.Violations) != 1) {
			t.Errorf("record of the privileged deployment: %+v", rec)
		}
	}
}

func TestScanFeedsNamespaces(t *testing.T) {
	ns := object("v1", "Namespace", "", "shop", nil)
	ns["metadata"].(map[string]any)["labels"] = map[string]any{"environment": "prod"}
	ns["metadata"].(map[string]any)["annotations"] = map[string]any{"security-contact": "sec@example.com"}
	c := &cluster{objects: map[string][]map[string]any{"namespaces": {ns}}}
	s := newScanner(t, c)
	known := clusterFacts{namespaces: map[string]*input.Namespace{}, accounts: offline.ServiceAccounts{}}
	if err := s.scanKind(t.Context(), schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, known, Progress{}, &collected{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]*input.Namespace{"shop": {Name: "shop", Labels: map[string]string{"environment": "prod"}, Annotations: map[string]string{"security-contact": "sec@example.com"}}}
	if diff := cmp.Diff(want, known.namespaces); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
}

// TestScanFeedsServiceAccounts checks that the ServiceAccounts are listed before the pods and
// judged with them: a Deployment on "default" in a namespace whose default ServiceAccount has
// automount off passes SA-001, the same Deployment elsewhere does not.
func TestScanFeedsServiceAccounts(t *testing.T) {
	deployment := func(namespace string) map[string]any {
		return object("apps/v1", "Deployment", namespace, "web", map[string]any{"spec": map[string]any{"template": map[string]any{
			"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": "nginx:1.27"}}},
		}}})
	}
	c := &cluster{objects: map[string][]map[string]any{
		"deployments":     {deployment("quiet"), deployment("loud")},
		"serviceaccounts": {object("v1", "ServiceAccount", "quiet", "default", map[string]any{"automountServiceAccountToken": false}), object("v1", "ServiceAccount", "loud", "default", nil)},
	}}
	s := newScanner(t, c)
	gvk := schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}
	s.Mapper.(*meta.DefaultRESTMapper).AddSpecific(gvk, gvk.GroupVersion().WithResource("serviceaccounts"), gvk.GroupVersion().WithResource("serviceaccount"), meta.RESTScopeNamespace)
	engine, err := policies.Embedded(t.Context(), "SA-001")
	if err != nil {
		t.Fatal(err)
	}
	s.Reviewer = review.New(engine, config.Default(), nil)
	w := &collected{}
	if err := s.Scan(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range w.results {
		for _, f := range r.Decision.Findings {
			got[r.Kind+" "+r.Namespace] = append(got[r.Kind+" "+r.Namespace], f.Policy)
		}
	}
	want := map[string][]string{"Deployment loud": {"SA-001"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestScanListFailures(t *testing.T) {
	secrets := schema.GroupResource{Resource: "secrets"}
	tests := []struct {
		name         string
		fail         map[string]func(page int) error
		wantErr      string
		wantProblems []string
		wantResults  int
	}{
		{
			name:         "a forbidden kind is a problem, the others are judged",
			fail:         map[string]func(int) error{"secrets": func(int) error { return apierrors.NewForbidden(secrets, "", errors.New("rbac")) }},
			wantProblems: []string{`cannot list secrets: secrets is forbidden: rbac`},
			wantResults:  6,
		},
		{
			name: "an expired continue token is a problem naming how far the listing got",
			fail: map[string]func(int) error{"configmaps": func(page int) error {
				if page == 1 {
					return apierrors.NewResourceExpired("continue token too old")
				}
				return nil
			}},
			wantProblems: []string{"listing configmaps expired after 2 objects (the snapshot is too old); the rest of them were not judged"},
			wantResults:  4,
		},
		{
			name:    "a broken connection stops the scan",
			fail:    map[string]func(int) error{"pods": func(int) error { return fmt.Errorf("dial tcp: connection refused") }},
			wantErr: "list pods: dial tcp: connection refused",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &cluster{fail: tc.fail, objects: map[string][]map[string]any{
				"namespaces": {object("v1", "Namespace", "", "shop", nil)},
				"secrets":    {object("v1", "Secret", "shop", "s", nil)},
				"configmaps": {
					object("v1", "ConfigMap", "shop", "1", nil), object("v1", "ConfigMap", "shop", "2", nil),
					object("v1", "ConfigMap", "shop", "3", nil), object("v1", "ConfigMap", "shop", "4", nil),
					object("v1", "ConfigMap", "shop", "5", nil),
				},
			}}
			w := &collected{}
			err := newScanner(t, c).Scan(t.Context(), w)
			if got := fmt.Sprint(err); (tc.wantErr == "" && err != nil) || (tc.wantErr != "" && got != tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if tc.wantErr != "" {
				return
			}
			var problems []string
			for _, p := range w.problems {
				problems = append(problems, p.Message)
			}
			if diff := cmp.Diff(tc.wantProblems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if len(w.results) != tc.wantResults {
				t.Errorf("%d results, want %d", len(w.results), tc.wantResults)
			}
		})
	}
}

func TestDocumentsRedactSecretsAndManagedFields(t *testing.T) {
	list := &unstructured.UnstructuredList{Items: []unstructured.Unstructured{{Object: object("v1", "Secret", "shop", "s", map[string]any{
		"type":       "Opaque",
		"data":       map[string]any{"password": "c2VjcmV0"},
		"stringData": map[string]any{"token": "plain"},
	})}}}
	docs, err := documents(list, "secrets")
	if err != nil {
		t.Fatal(err)
	}
	got := string(docs[0].JSON)
	for _, leak := range []string{"c2VjcmV0", "plain", "managedFields"} {
		if strings.Contains(got, leak) {
			t.Errorf("document holds %q: %s", leak, got)
		}
	}
	for _, kept := range []string{`"password":""`, `"token":""`, `"type":"Opaque"`} {
		if !strings.Contains(got, kept) {
			t.Errorf("document lacks %s: %s", kept, got)
		}
	}
	if docs[0].Resource != "secrets" || docs[0].Meta.Metadata.UID != "uid-s" {
		t.Errorf("document %+v", docs[0])
	}
}
