package compliance

import (
	"testing"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// TestPublish checks the bookkeeping of the reports against controller-runtime's fake client
// (the e2e tests TestContinuousCompliance... do it against a real apiserver): reports are
// created, then updated in place; those of namespaces that are gone, terminating or without
// results are deleted; reports govhook does not own are left alone.
func TestPublish(t *testing.T) {
	scheme, err := NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	now := metav1.Now()
	ns := func(name string, terminating bool) *corev1.Namespace {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if terminating {
			n.DeletionTimestamp, n.Finalizers = &now, []string{"test"}
		}
		return n
	}
	owned := func(namespace string) *openreportsv1alpha1.Report {
		return &openreportsv1alpha1.Report{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: ReportName, Labels: map[string]string{LabelManagedBy: Source}}}
	}
	foreign := &openreportsv1alpha1.Report{ObjectMeta: metav1.ObjectMeta{Namespace: "quiet", Name: "kyverno-report"}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		ns("shop", false), ns("quiet", false), ns("leaving", true),
		owned("quiet"), owned("leaving"), owned("vanished"), foreign,
	).Build()
	p := &Publisher{Client: c, Auditor: "replica-1", Log: logr.Discard()}

	result := func(obj, res string) openreportsv1alpha1.ReportResult {
		return openreportsv1alpha1.ReportResult{Policy: "POD-001", Result: openreportsv1alpha1.Result(res),
			Subjects: []corev1.ObjectReference{{Kind: "Deployment", Namespace: "shop", Name: obj}}}
	}
	run := func(results ...openreportsv1alpha1.ReportResult) {
		t.Helper()
		shop, leaving, cluster := &scope{max: 10}, &scope{max: 10}, &scope{max: 10}
		for _, r := range results {
			shop.add(r)
		}
		leaving.add(result("old", "fail"))
		cluster.add(openreportsv1alpha1.ReportResult{Policy: "RBAC-002", Result: ResultFail})
		if _, err := p.Publish(t.Context(), map[string]*scope{"shop": shop, "leaving": leaving}, cluster); err != nil {
			t.Fatal(err)
		}
	}

	run(result("web", "fail"), result("api", "pass"))
	var first openreportsv1alpha1.Report
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: "shop", Name: ReportName}, &first); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(openreportsv1alpha1.ReportSummary{Pass: 1, Fail: 1}, first.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if first.Results[0].Result != ResultFail || first.Annotations[AnnotationAuditor] != "replica-1" || first.Source != Source {
		t.Errorf("report: %+v", first)
	}

	run(result("web", "pass"), result("api", "pass"))
	var second openreportsv1alpha1.Report
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: "shop", Name: ReportName}, &second); err != nil {
		t.Fatal(err)
	}
	if second.UID != first.UID || second.ResourceVersion == first.ResourceVersion || second.Summary.Pass != 2 {
		t.Errorf("the second run did not update the report in place: uid %s -> %s, version %s -> %s, summary %+v",
			first.UID, second.UID, first.ResourceVersion, second.ResourceVersion, second.Summary)
	}

	var reports openreportsv1alpha1.ReportList
	if err := c.List(t.Context(), &reports); err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, r := range reports.Items {
		left = append(left, r.Namespace+"/"+r.Name)
	}
	if diff := cmp.Diff([]string{"quiet/kyverno-report", "shop/" + ReportName}, left); diff != "" {
		t.Errorf("reports left (-want +got):\n%s", diff)
	}
	var cluster openreportsv1alpha1.ClusterReport
	if err := c.Get(t.Context(), client.ObjectKey{Name: ReportName}, &cluster); err != nil || cluster.Summary.Fail != 1 {
		t.Errorf("ClusterReport: %v %+v", err, cluster.Summary)
	}
}
