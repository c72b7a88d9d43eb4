package compliance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
)

var testPolicies = []policies.Policy{
	{ID: "POD-001", Title: "Privileged containers", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Groups: []string{"pod-security"}, Kinds: []string{"Deployment", "Pod"}, Package: "container.privileged"},
	{ID: "POD-030", Title: "Read-only root filesystem", Severity: "medium", Controls: []string{"CC6.8"}, Groups: []string{"pod-security"}, Kinds: []string{"Deployment", "Pod"}, Package: "container.readonly"},
	{ID: "OWN-002", Title: "Owner label", Severity: "medium", Controls: []string{"CC1.3"}, Groups: []string{"ownership"}, Kinds: []string{"*"}, Package: "ownership.workload"},
	{ID: "RBAC-002", Title: "No bindings to system groups", Severity: "critical", Controls: []string{"CC6.2"}, Groups: []string{"rbac"}, Kinds: []string{"ClusterRoleBinding"}, Package: "rbac.groups"},
}

func TestResults(t *testing.T) {
	ts := metav1.Timestamp{Seconds: 1780000000}
	deployment := []corev1.ObjectReference{{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}}
	result := func(policy, rule, category string, severity string, res openreportsv1alpha1.Result, msg string, props map[string]string) openreportsv1alpha1.ReportResult {
		return openreportsv1alpha1.ReportResult{
			Source: "govhook", Policy: policy, Rule: rule, Category: category,
			Severity: openreportsv1alpha1.ResultSeverity(severity), Timestamp: ts, Result: res, Scored: true,
			Subjects: deployment, Description: msg, Properties: props,
		}
	}
	web := output.Result{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}
	with := func(d decision.Decision, errText string) output.Result {
		r := web
		r.Decision, r.Error = d, errText
		return r
	}
	tests := []struct {
		name string
		in   output.Result
		want []openreportsv1alpha1.ReportResult
	}{
		{
			name: "a denied finding fails, policies without findings pass",
			in: with(decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{
				{Policy: "POD-001", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Action: "deny", Message: `container "app" must not set securityContext.privileged=true`, Field: "spec.template.spec.containers[0].securityContext.privileged"},
			}}, ""),
			want: []openreportsv1alpha1.ReportResult{
				result("OWN-002", "ownership.workload", "ownership", "medium", "pass", "Owner label", map[string]string{"controls": "CC1.3"}),
				result("POD-001", "container.privileged", "pod-security", "critical", "fail", `container "app" must not set securityContext.privileged=true`,
					map[string]string{"controls": "CC6.1,CC6.8", "action": "deny", "field": "spec.template.spec.containers[0].securityContext.privileged"}),
				result("POD-030", "container.readonly", "pod-security", "medium", "pass", "Read-only root filesystem", map[string]string{"controls": "CC6.8"}),
			},
		},
		{
			name: "warned, audited and waived findings",
			in: with(decision.Decision{Outcome: decision.OutcomeWarn, Findings: []decision.Finding{
				{Policy: "OWN-002", Severity: "medium", Controls: []string{"CC1.3"}, Action: "audit", Message: "set label owner"},
				{Policy: "POD-001", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Action: "waived", Message: "privileged", Exception: "EXC-1"},
				{Policy: "POD-030", Severity: "medium", Controls: []string{"CC6.8"}, Action: "warn", Message: "read-only root"},
			}}, ""),
			want: []openreportsv1alpha1.ReportResult{
				result("OWN-002", "ownership.workload", "ownership", "medium", "fail", "set label owner", map[string]string{"controls": "CC1.3", "action": "audit"}),
				result("POD-001", "container.privileged", "pod-security", "critical", "skip", "privileged", map[string]string{"controls": "CC6.1,CC6.8", "action": "waived", "exception": "EXC-1"}),
				result("POD-030", "container.readonly", "pod-security", "medium", "warn", "read-only root", map[string]string{"controls": "CC6.8", "action": "warn"}),
			},
		},
		{
			name: "an object that could not be evaluated is an error for every policy of its kind",
			in:   with(decision.Decision{Outcome: decision.OutcomeError}, "evaluation timed out"),
			want: []openreportsv1alpha1.ReportResult{
				result("OWN-002", "ownership.workload", "ownership", "medium", "error", "not evaluated: evaluation timed out", map[string]string{"controls": "CC1.3"}),
				result("POD-001", "container.privileged", "pod-security", "critical", "error", "not evaluated: evaluation timed out", map[string]string{"controls": "CC6.1,CC6.8"}),
				result("POD-030", "container.readonly", "pod-security", "medium", "error", "not evaluated: evaluation timed out", map[string]string{"controls": "CC6.8"}),
			},
		},
		{
			name: "an exempt object gives no results",
			in:   with(decision.Decision{Outcome: decision.OutcomeAllow, Exempt: "namespace kube-system"}, ""),
		},
	}
	c := NewConverter(testPolicies)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, c.Results(tc.in, ts)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResultsOfOtherKinds(t *testing.T) {
	c := NewConverter(testPolicies)
	got := c.Results(output.Result{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding", Name: "anonymous",
		Decision: decision.Decision{Outcome: decision.OutcomeAllow}}, metav1.Timestamp{})
	var ids []string
	for _, r := range got {
		ids = append(ids, r.Policy+"="+string(r.Result)+"@"+r.Subjects[0].Namespace+"/"+r.Subjects[0].Name)
	}
	if diff := cmp.Diff([]string{"OWN-002=pass@/anonymous", "RBAC-002=pass@/anonymous"}, ids); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestScopeKeepsFindingsOverPasses(t *testing.T) {
	r := func(name string, res openreportsv1alpha1.Result) openreportsv1alpha1.ReportResult {
		return openreportsv1alpha1.ReportResult{Policy: "P", Result: res, Subjects: []corev1.ObjectReference{{Kind: "Pod", Name: name}}}
	}
	s := &scope{max: 3}
	for _, x := range []openreportsv1alpha1.ReportResult{r("a", "pass"), r("b", "pass"), r("c", "warn"), r("d", "fail"), r("e", "pass"), r("f", "fail"), r("g", "skip")} {
		s.add(x)
	}
	var kept []string
	for _, x := range s.sorted() {
		kept = append(kept, x.Subjects[0].Name+"="+string(x.Result))
	}
	if diff := cmp.Diff([]string{"d=fail", "f=fail", "c=warn"}, kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	want := openreportsv1alpha1.ReportSummary{Pass: 3, Fail: 2, Warn: 1, Skip: 1}
	if diff := cmp.Diff(want, s.summary); diff != "" || s.omitted != 4 {
		t.Errorf("summary (-want +got):\n%s omitted %d, want 4", diff, s.omitted)
	}
}

// TestFullScopeCountsPasses: once a report is full, pass results are counted, not built, and
// the summary still matches what a report with room would say.
func TestFullScopeCountsPasses(t *testing.T) {
	c := NewConverter(testPolicies)
	web := output.Result{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web", Decision: decision.Decision{
		Outcome: decision.OutcomeDeny, Findings: []decision.Finding{{Policy: "POD-001", Severity: "critical", Action: "deny", Message: "privileged"}}}}
	roomy, tight := &scope{max: 100}, &scope{max: 1}
	for _, s := range []*scope{roomy, tight} {
		col := &collector{converter: c, max: s.max, cluster: &scope{max: s.max}, namespaces: map[string]*scope{"shop": s},
			metrics: metrics.AuditRun{Violations: map[metrics.AuditViolation]int{}, Objects: map[string]int{}}}
		for range 3 {
			if err := col.Result(web); err != nil {
				t.Fatal(err)
			}
		}
	}
	if diff := cmp.Diff(roomy.summary, tight.summary); diff != "" {
		t.Errorf("summary of a full report (-roomy +full):\n%s", diff)
	}
	if len(tight.results) != 1 || tight.results[0].Result != ResultFail || tight.omitted != 8 {
		t.Errorf("full report kept %+v, omitted %d; want the one fail kept and 8 omitted", tight.results, tight.omitted)
	}
}
