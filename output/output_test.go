package output_test

import (
	"bytes"
	"testing"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
)

var testPolicies = []policies.Policy{
	{ID: "OWN-002", Title: "Owner label", Description: "Objects name their owner.", Severity: "medium", Controls: []string{"CC1.3"}, Groups: []string{"ownership"}, Action: "deny", References: []string{"SOC 2 CC1.3"}},
	{ID: "POD-001", Title: "Privileged containers", Description: "No privileged containers.", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Groups: []string{"pss-baseline"}, Action: "deny", References: []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/"}},
	{ID: "POD-030", Title: "Read-only root filesystem", Description: "Root filesystems are read-only.", Severity: "low", Controls: []string{"CC6.8"}, Groups: []string{"hardening"}, Action: "warn"},
}

// sample is one of each thing a report holds: a denied object with two findings, a warned
// one with an exception, an allowed one, one that failed to evaluate, a cluster object, and
// a problem.
func sample() ([]output.Result, []output.Problem) {
	results := []output.Result{
		{
			Source: "deploy/web.yaml", Line: 1, APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web",
			Decision: decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{
				{Policy: "OWN-002", Severity: "medium", Controls: []string{"CC1.3"}, Action: "deny", Message: `Deployment "web" must carry label "owner"`, Field: `metadata.labels["owner"]`},
				{Policy: "POD-001", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Action: "deny", Message: `container "app" must not set securityContext.privileged=true`, Field: "spec.template.spec.containers[0].securityContext.privileged"},
			}},
			FieldLines: []int{4, 12},
		},
		{
			Source: "deploy/web.yaml", Line: 20, APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "debug",
			Decision: decision.Decision{Outcome: decision.OutcomeWarn,
				Findings:   []decision.Finding{{Policy: "POD-030", Severity: "low", Controls: []string{"CC6.8"}, Action: "warn", Message: `container "app" should set securityContext.readOnlyRootFilesystem=true`}},
				Exceptions: []decision.AppliedException{{ID: "EXC-1", Policy: "POD-001", Expires: "2027-01-31"}},
			},
		},
		{Source: "deploy/web.yaml", Line: 30, APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "web", Decision: decision.Decision{Outcome: decision.OutcomeAllow}},
		{Source: "-", Line: 1, APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "broken", Decision: decision.Decision{Outcome: decision.OutcomeError}, Error: "build policy input: bad object"},
		{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding", Name: "anonymous",
			Decision: decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{{Policy: "OWN-002", Severity: "medium", Action: "deny", Message: `ClusterRoleBinding "anonymous" must carry label "owner"`}}}},
	}
	problems := []output.Problem{{Source: "deploy/bad.yaml", Index: 2, Line: 7, Message: "not valid YAML"}}
	return results, problems
}

// render writes the sample in a format.
func render(t *testing.T, format string, o output.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := output.New(format, &buf, o)
	if err != nil {
		t.Fatal(err)
	}
	results, problems := sample()
	for _, p := range problems {
		if err := w.Problem(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range results {
		if err := w.Result(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := output.Summary{Total: 6, Allowed: 1, Warned: 1, Denied: 2, Errors: 2}
	if w.Summary() != want {
		t.Errorf("summary = %+v, want %+v", w.Summary(), want)
	}
	return buf.Bytes()
}

func TestNewRejectsUnknownFormat(t *testing.T) {
	if _, err := output.New("xml", &bytes.Buffer{}, output.Options{}); err == nil {
		t.Error("want an error for format xml")
	}
}
