package compliance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
	"github.com/govhook/govhook/scan"
)

// TestAuditorRun runs one audit over a fake cluster with the real engine: the report of the
// namespace holds the finding as fail and the compliant object as pass, and the gauges count
// the same findings.
func TestAuditorRun(t *testing.T) {
	a, reports, reg := fakeAuditor(t, 0)
	run, err := a.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if run.Summary.Total != 3 || run.Summary.Denied != 1 || run.Reports != 1 {
		t.Errorf("run: %+v, want 3 objects, 1 denied, 1 report", run)
	}
	var r openreportsv1alpha1.Report
	if err := reports.Get(t.Context(), client.ObjectKey{Namespace: "shop", Name: ReportName}, &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, res := range r.Results {
		got = append(got, res.Policy+" "+res.Subjects[0].Name+" "+string(res.Result))
	}
	if diff := cmp.Diff([]string{"POD-001 privileged fail", "POD-001 compliant pass"}, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	want := `
# HELP govhook_audit_violations Policy violations of the objects in the cluster at the last complete audit run, by policy, severity and action.
# TYPE govhook_audit_violations gauge
govhook_audit_violations{action="deny",policy="POD-001",severity="critical"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "govhook_audit_violations"); err != nil {
		t.Error(err)
	}
}

// BenchmarkAuditRun measures govhook's side of one run (list pages from a fake client, review
// with the whole catalog, build and write the reports) over 10,000 more Deployments, one in
// ten privileged; hack/auditbench measures a run against a real apiserver.
func BenchmarkAuditRun(b *testing.B) {
	a, _, _ := fakeAuditor(b, 10000)
	for b.Loop() {
		if _, err := a.Run(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10003, "ns/object")
}

// fakeAuditor wires an Auditor to a fake cluster holding namespace shop with Deployments
// privileged and compliant, and extra more (every tenth privileged); with extra > 0 it judges
// with the whole catalog, else with POD-001 alone.
func fakeAuditor(tb testing.TB, extra int) (*Auditor, client.Client, *prometheus.Registry) {
	tb.Helper()
	obj := func(apiVersion, kind, namespace, name string, fields map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": namespace, "labels": map[string]any{"owner": "payments"}}}}
		for k, v := range fields {
			u.Object[k] = v
		}
		return u
	}
	deployment := func(name string, privileged bool) *unstructured.Unstructured {
		return obj("apps/v1", "Deployment", "shop", name, map[string]any{"spec": map[string]any{
			"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name, "owner": "payments"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": "public.ecr.aws/nginx/nginx:1.27",
					"securityContext": map[string]any{"privileged": privileged}}}}},
		}})
	}
	namespaces := schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	deployments := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	objects := []runtime.Object{obj("v1", "Namespace", "", "shop", nil), deployment("privileged", true), deployment("compliant", false)}
	for i := range extra {
		objects = append(objects, deployment(fmt.Sprintf("web-%05d", i), i%10 == 0))
	}
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{namespaces: "NamespaceList", deployments: "DeploymentList"}, objects...)
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Version: "v1"}, {Group: "apps", Version: "v1"}})
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	mapper.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)

	selectors := []string{"POD-001"}
	if extra > 0 {
		selectors = nil
	}
	engine, err := policies.Embedded(tb.Context(), selectors...)
	if err != nil {
		tb.Fatal(err)
	}
	scheme, err := NewScheme()
	if err != nil {
		tb.Fatal(err)
	}
	reports := fake.NewClientBuilder().WithScheme(scheme).WithObjects(obj("v1", "Namespace", "", "shop", nil)).Build()
	reg := prometheus.NewPedanticRegistry()
	gauges, err := metrics.NewAudit(reg, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	a := &Auditor{
		Scanner:   &scan.Scanner{Client: dyn, Mapper: mapper, Reviewer: review.New(engine, config.Default(), nil)},
		Publisher: &Publisher{Client: reports, Auditor: "replica-1", Log: logr.Discard()},
		Metrics:   gauges,
		Interval:  time.Hour,
		Log:       logr.Discard(),
	}
	return a, reports, reg
}
