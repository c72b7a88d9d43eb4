package policydiff_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/policydiff"
)

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

func catalogJSON(t *testing.T, ps []policies.Policy) []byte {
	t.Helper()
	data, err := json.Marshal(ps)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func diff(t *testing.T, old, new []byte) []policydiff.Change {
	t.Helper()
	o, err := policydiff.Parse("old", old)
	if err != nil {
		t.Fatal(err)
	}
	n, err := policydiff.Parse("new", new)
	if err != nil {
		t.Fatal(err)
	}
	r, err := policydiff.Diff(o, n, now)
	if err != nil {
		t.Fatal(err)
	}
	return r.Changes
}

func TestCatalogDiff(t *testing.T) {
	pod := policies.Policy{ID: "POD-021", Title: "Privilege escalation", Severity: "high", Action: "deny", Tiered: true, Controls: []string{"CC6.1"}, Groups: []string{"pod-security"}, Kinds: []string{"Pod"}}
	img := policies.Policy{ID: "IMG-001", Title: "Approved image registries", Severity: "high", Action: "deny", Parameters: []string{"allowedRegistries"}, Kinds: []string{"Pod"}}
	sec := policies.Policy{ID: "SEC-001", Title: "No literal credentials", Severity: "high", Action: "deny", Kinds: []string{"Pod"}}
	pod2, img2 := pod, img
	pod2.Tiered = false
	img2.Action, img2.Parameters = "warn", []string{"allowedRegistries", "awsAccountIds"}
	got := diff(t, catalogJSON(t, []policies.Policy{pod, img, sec}), catalogJSON(t, []policies.Policy{pod2, img2, {ID: "NET-004", Title: "New", Severity: "low", Action: "warn"}}))
	want := []policydiff.Change{
		{Section: policydiff.PoliciesChanged, Subject: "IMG-001", Field: "action", Old: "deny", New: "warn"},
		{Section: policydiff.PoliciesChanged, Subject: "IMG-001", Field: "parameters", Old: "allowedRegistries", New: "allowedRegistries, awsAccountIds"},
		{Section: policydiff.PoliciesAdded, Subject: "NET-004", New: "New (low, warn)"},
		{Section: policydiff.PoliciesChanged, Subject: "POD-021", Field: "tiered", Old: "true", New: "false"},
		{Section: policydiff.PoliciesRemoved, Subject: "SEC-001", Old: "No literal credentials (high, deny)"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
}

const oldConfig = `apiVersion: govhook.io/v1alpha1
kind: Config
enforcement:
  policies:
    POD-030: deny
exceptions:
  - id: EXC-1
    policies: [POD-001]
    match: {namespaces: [monitoring]}
    justification: node exporter
    ticket: SEC-1
    requestedBy: alice
    approvedBy: bob
    expires: "2026-12-01"
  - id: EXC-2
    policies: [POD-002]
    match: {namespaces: [monitoring]}
    justification: host network
    ticket: SEC-2
    requestedBy: alice
    approvedBy: bob
    expires: "2027-01-31"
parameters:
  awsAccountIds: ["111111111111"]
`

func TestConfigDiff(t *testing.T) {
	newConfig := strings.NewReplacer(
		"    POD-030: deny\n", "    IMG-002: {action: deny, whenNamespaceLabels: {environment: prod}, otherwise: warn}\n",
		`expires: "2027-01-31"`, `expires: "2027-02-28"`,
		`["111111111111"]`, `["111111111111", "222222222222"]`,
	).Replace(oldConfig) + `  ownerLabel: team
reviews:
  - {policies: ["*"], reviewedBy: carol, reviewedAt: 2026-11-30, ticket: GRC-7}
`
	newConfig = strings.Replace(newConfig, "parameters:", `  - id: EXC-3
    policies: [NET-003]
    match: {namespaces: [edge]}
    justification: node ports for the edge proxy
    ticket: SEC-3
    requestedBy: dave
    approvedBy: erin
    expires: "2027-03-01"
parameters:`, 1)
	got := diff(t, []byte(oldConfig), []byte(newConfig))
	want := []policydiff.Change{
		{Section: policydiff.EnforcementChange, Subject: "IMG-002", Old: "catalog default", New: "deny where environment=prod, warn elsewhere"},
		{Section: policydiff.EnforcementChange, Subject: "POD-030", Old: "deny", New: "catalog default"},
		{Section: policydiff.ExceptionsExpired, Subject: "EXC-1", Field: "expires", New: "2026-12-01 (expired: waives nothing; remove it)"},
		{Section: policydiff.ExceptionsChanged, Subject: "EXC-2", Field: "expires", Old: "2027-01-31", New: "2027-02-28"},
		{Section: policydiff.ExceptionsAdded, Subject: "EXC-3", New: "NET-003 for namespaces=edge (node ports for the edge proxy), ticket SEC-3, requested by dave, approved by erin, expires 2027-03-01"},
		{Section: policydiff.ParametersChanged, Subject: "awsAccountIds", Old: `["111111111111"]`, New: `["111111111111","222222222222"]`},
		{Section: policydiff.ParametersChanged, Subject: "ownerLabel", Old: "(unset)", New: `"team"`},
		{Section: policydiff.ReviewsAdded, Subject: "review", New: "2026-11-30 by carol of *, ticket GRC-7"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if got := diff(t, []byte(oldConfig), []byte(oldConfig+"\n")); len(got) != 1 || got[0].Section != policydiff.ExceptionsExpired {
		t.Errorf("an unchanged config lists only its expired exception, got %+v", got)
	}
}

func TestDiffRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", "[{", "old: not a policy catalog as govhook policies -o json prints it"},
		{"policy without id", `[{"title": "x"}]`, "old: policy 0 has no id"},
		{"invalid config", "apiVersion: govhook.io/v1alpha1\nkind: Config\nenforcment: {}\n", "old: neither a policy catalog (govhook policies -o json) nor a valid config file: invalid config: line 3: enforcment: unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policydiff.Parse("old", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	cat, _ := policydiff.Parse("cat.json", []byte(`[{"id": "POD-001"}]`))
	cfg, _ := policydiff.Parse("config.yaml", []byte("apiVersion: govhook.io/v1alpha1\nkind: Config\n"))
	if _, err := policydiff.Diff(cat, cfg, now); !errors.Is(err, policydiff.ErrKindMismatch) || !strings.Contains(err.Error(), "cat.json is a policy catalog, config.yaml a config") {
		t.Errorf("Diff of a catalog and a config: %v", err)
	}
}
