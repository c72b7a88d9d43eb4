package decision_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/policies"
)

// testPolicy is a policy source whose METADATA carries the given extra custom lines.
func testPolicy(id, pkg, action, extra string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(`# METADATA
# title: ` + id + `
# description: test policy
# custom:
#   id: ` + id + `
#   severity: high
#   controls: [CC6.1]
#   groups: [test]
#   kinds: [pod-bearing]
#   remediation: fix it
#   action: ` + action + `
` + extra + `package ` + pkg + `

deny contains {"msg": "m"} if false
`)}
}

// testCatalog has a deny, a warn, an audit and a tiered policy.
func testCatalog(t testing.TB) *policies.Catalog {
	t.Helper()
	catalog, err := policies.LoadCatalog(fstest.MapFS{
		"t/deny/policy.rego":   testPolicy("POD-001", "t.deny", "deny", ""),
		"t/warn/policy.rego":   testPolicy("POD-030", "t.warn", "warn", ""),
		"t/audit/policy.rego":  testPolicy("MON-001", "t.audit", "audit", ""),
		"t/tiered/policy.rego": testPolicy("OWN-002", "t.tiered", "deny", "#   tiered: true\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return catalog
}

// loadedAt is when the test configs are validated; exceptions expire within 180 days of it.
var loadedAt = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func testConfig(t testing.TB, body string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte("apiVersion: govhook.io/v1alpha1\nkind: Config\n"+body),
		config.KnownPolicies([]string{"POD-001", "POD-030", "MON-001", "OWN-002"}), config.Clock(func() time.Time { return loadedAt }))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// exceptionConfig waives POD-001 for Deployments named web-* in shop until the end of
// 2027-01-31 UTC (EXC-1), and for anything in ops until an RFC 3339 instant (EXC-2).
const exceptionConfig = `exceptions:
  - id: EXC-1
    policies: [POD-001]
    match: {namespaces: [shop], kinds: [Deployment], names: [web-*]}
    justification: legacy agent needs privileges until the rewrite ships
    ticket: SEC-1
    requestedBy: alice@example.com
    approvedBy: bob@example.com
    expires: "2027-01-31"
  - id: EXC-2
    policies: [POD-001, POD-030]
    match: {namespaces: [ops]}
    justification: break-glass tooling
    ticket: SEC-2
    requestedBy: carol@example.com
    approvedBy: dave@example.com
    expires: "2027-01-15T12:00:00Z"
`

func violation(t testing.TB, catalog *policies.Catalog, id string) policies.Violation {
	t.Helper()
	p, ok := catalog.Get(id)
	if !ok {
		t.Fatalf("no policy %s in the test catalog", id)
	}
	return policies.Violation{Policy: p, Message: "breaks " + id, Field: "spec"}
}

func finding(id, action string) decision.Finding {
	return decision.Finding{Policy: id, Severity: "high", Controls: []string{"CC6.1"}, Action: action, Message: "breaks " + id, Field: "spec"}
}

func waived(id, exception string) decision.Finding {
	f := finding(id, decision.ActionWaived)
	f.Exception = exception
	return f
}

var (
	prod     = decision.Request{Namespace: "shop", NamespaceKnown: true, NamespaceLabels: map[string]string{"environment": "prod"}, Kind: "Deployment", Name: "web-1", Username: "alice"}
	dev      = decision.Request{Namespace: "shop", NamespaceKnown: true, NamespaceLabels: map[string]string{"environment": "dev"}, Kind: "Deployment", Name: "web-1", Username: "alice"}
	unknown  = decision.Request{Namespace: "shop", Kind: "Deployment", Name: "web-1", Username: "alice"}
	lastDay  = time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)
	dayAfter = time.Date(2027, 2, 1, 0, 0, 1, 0, time.UTC)
)

func with(r decision.Request, edit func(*decision.Request)) decision.Request {
	edit(&r)
	return r
}

func TestDecide(t *testing.T) {
	catalog := testCatalog(t)
	exc1 := decision.AppliedException{ID: "EXC-1", Policy: "POD-001", RequestedBy: "alice@example.com", ApprovedBy: "bob@example.com", Expires: "2027-01-31"}
	tests := []struct {
		name       string
		config     string
		violations []string
		req        decision.Request
		now        time.Time
		want       decision.Decision
	}{
		{
			name: "no violations",
			req:  prod,
			want: decision.Decision{Outcome: decision.OutcomeAllow},
		},
		{
			name:       "catalog actions",
			violations: []string{"MON-001", "POD-001", "POD-030"},
			req:        dev,
			want: decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{
				finding("MON-001", "audit"), finding("POD-001", "deny"), finding("POD-030", "warn")}},
		},
		{
			name:       "tiered policy in a prod namespace denies",
			violations: []string{"OWN-002"},
			req:        prod,
			want:       decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{finding("OWN-002", "deny")}},
		},
		{
			name:       "tiered policy in a dev namespace warns",
			violations: []string{"OWN-002"},
			req:        dev,
			want:       decision.Decision{Outcome: decision.OutcomeWarn, Findings: []decision.Finding{finding("OWN-002", "warn")}},
		},
		{
			name:       "tiered policy in an unlabelled namespace warns",
			violations: []string{"OWN-002"},
			req:        with(dev, func(r *decision.Request) { r.NamespaceLabels = nil }),
			want:       decision.Decision{Outcome: decision.OutcomeWarn, Findings: []decision.Finding{finding("OWN-002", "warn")}},
		},
		{
			name:       "tiered policy where the namespace is unknown denies (fail closed)",
			violations: []string{"OWN-002"},
			req:        unknown,
			want:       decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{finding("OWN-002", "deny")}},
		},
		{
			name:       "tiering reads the configured label key",
			config:     "parameters: {environmentLabel: stage}\n",
			violations: []string{"OWN-002"},
			req: with(dev, func(r *decision.Request) {
				r.NamespaceLabels = map[string]string{"stage": "prod", "environment": "dev"}
			}),
			want: decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{finding("OWN-002", "deny")}},
		},
		{
			name:       "a warn-rule violation of a deny policy only warns",
			violations: []string{"POD-001~"},
			req:        prod,
			want:       decision.Decision{Outcome: decision.OutcomeWarn, Findings: []decision.Finding{finding("POD-001", "warn")}},
		},
		{
			name:       "a warn-rule violation of an audit policy stays silent",
			config:     "enforcement: {policies: {POD-001: audit}}\n",
			violations: []string{"POD-001~"},
			req:        prod,
			want:       decision.Decision{Outcome: decision.OutcomeAllow, Findings: []decision.Finding{finding("POD-001", "audit")}},
		},
		{
			name:       "audit-mode violation admits silently",
			config:     "enforcement: {policies: {POD-001: audit}}\n",
			violations: []string{"POD-001"},
			req:        prod,
			want:       decision.Decision{Outcome: decision.OutcomeAllow, Findings: []decision.Finding{finding("POD-001", "audit")}},
		},
		{
			name:       "default override replaces catalog defaults, tiered or not, of policies not named",
			config:     "enforcement: {default: warn, policies: {POD-030: deny}}\n",
			violations: []string{"MON-001", "OWN-002", "POD-001", "POD-030"},
			req:        prod,
			want: decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{
				finding("MON-001", "warn"), finding("OWN-002", "warn"), finding("POD-001", "warn"), finding("POD-030", "deny")}},
		},
		{
			name:       "configured tier in a selected namespace",
			config:     "enforcement: {policies: {POD-030: {action: deny, whenNamespaceLabels: {environment: prod, tier: web}, otherwise: audit}}}\n",
			violations: []string{"POD-030"},
			req:        with(prod, func(r *decision.Request) { r.NamespaceLabels = map[string]string{"environment": "prod", "tier": "web"} }),
			want:       decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{finding("POD-030", "deny")}},
		},
		{
			name:       "configured tier needs every label",
			config:     "enforcement: {policies: {POD-030: {action: deny, whenNamespaceLabels: {environment: prod, tier: web}, otherwise: audit}}}\n",
			violations: []string{"POD-030"},
			req:        prod,
			want:       decision.Decision{Outcome: decision.OutcomeAllow, Findings: []decision.Finding{finding("POD-030", "audit")}},
		},
		{
			name:       "configured tier where the namespace is unknown takes the stricter action",
			config:     "enforcement: {policies: {POD-030: {action: audit, whenNamespaceLabels: {environment: dev}, otherwise: warn}}}\n",
			violations: []string{"POD-030"},
			req:        unknown,
			want:       decision.Decision{Outcome: decision.OutcomeWarn, Findings: []decision.Finding{finding("POD-030", "warn")}},
		},
		{
			name:       "configured tier overrides the catalog tier",
			config:     "enforcement: {policies: {OWN-002: {action: warn, whenNamespaceLabels: {environment: prod}, otherwise: audit}}}\n",
			violations: []string{"OWN-002"},
			req:        prod,
			want:       decision.Decision{Outcome: decision.OutcomeWarn, Findings: []decision.Finding{finding("OWN-002", "warn")}},
		},
		{
			name:       "exception one second before expiry waives",
			config:     exceptionConfig,
			violations: []string{"POD-001", "POD-001"},
			req:        prod,
			now:        lastDay,
			want: decision.Decision{Outcome: decision.OutcomeAllow,
				Findings:   []decision.Finding{waived("POD-001", "EXC-1"), waived("POD-001", "EXC-1")},
				Exceptions: []decision.AppliedException{exc1}},
		},
		{
			name:       "exception one second after expiry is ignored and reported expired",
			config:     exceptionConfig,
			violations: []string{"POD-001"},
			req:        prod,
			now:        dayAfter,
			want: decision.Decision{Outcome: decision.OutcomeDeny,
				Findings: []decision.Finding{finding("POD-001", "deny")},
				Expired:  []decision.AppliedException{exc1}},
		},
		{
			name:       "RFC 3339 expiry one second before",
			config:     exceptionConfig,
			violations: []string{"POD-001", "POD-030"},
			req:        with(prod, func(r *decision.Request) { r.Namespace = "ops" }),
			now:        time.Date(2027, 1, 15, 11, 59, 59, 0, time.UTC),
			want: decision.Decision{Outcome: decision.OutcomeAllow,
				Findings: []decision.Finding{waived("POD-001", "EXC-2"), waived("POD-030", "EXC-2")},
				Exceptions: []decision.AppliedException{
					{ID: "EXC-2", Policy: "POD-001", RequestedBy: "carol@example.com", ApprovedBy: "dave@example.com", Expires: "2027-01-15T12:00:00Z"},
					{ID: "EXC-2", Policy: "POD-030", RequestedBy: "carol@example.com", ApprovedBy: "dave@example.com", Expires: "2027-01-15T12:00:00Z"}}},
		},
		{
			name:       "RFC 3339 expiry at the instant",
			config:     exceptionConfig,
			violations: []string{"POD-030"},
			req:        with(prod, func(r *decision.Request) { r.Namespace = "ops" }),
			now:        time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC),
			want: decision.Decision{Outcome: decision.OutcomeWarn,
				Findings: []decision.Finding{finding("POD-030", "warn")},
				Expired:  []decision.AppliedException{{ID: "EXC-2", Policy: "POD-030", RequestedBy: "carol@example.com", ApprovedBy: "dave@example.com", Expires: "2027-01-15T12:00:00Z"}}},
		},
		{
			name:       "exception for another namespace does not apply",
			config:     exceptionConfig,
			violations: []string{"POD-001"},
			req:        with(prod, func(r *decision.Request) { r.Namespace = "payments" }),
			now:        lastDay,
			want:       decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{finding("POD-001", "deny")}},
		},
		{
			name:       "exception for another kind does not apply",
			config:     exceptionConfig,
			violations: []string{"POD-001"},
			req:        with(prod, func(r *decision.Request) { r.Kind = "DaemonSet" }),
			now:        lastDay,
			want:       decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{finding("POD-001", "deny")}},
		},
		{
			name:       "exception name glob does not match another name",
			config:     exceptionConfig,
			violations: []string{"POD-001"},
			req:        with(prod, func(r *decision.Request) { r.Name = "api-1" }),
			now:        lastDay,
			want:       decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{finding("POD-001", "deny")}},
		},
		{
			name:       "exception waives only its policies",
			config:     exceptionConfig,
			violations: []string{"OWN-002", "POD-001"},
			req:        prod,
			now:        lastDay,
			want: decision.Decision{Outcome: decision.OutcomeDeny,
				Findings:   []decision.Finding{finding("OWN-002", "deny"), waived("POD-001", "EXC-1")},
				Exceptions: []decision.AppliedException{exc1}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, tc.config)
			var vs []policies.Violation
			for _, id := range tc.violations {
				v := violation(t, catalog, strings.TrimSuffix(id, "~"))
				v.Advisory = strings.HasSuffix(id, "~") // "ID~": from the policy's warn rule
				vs = append(vs, v)
			}
			got := decision.Decide(vs, cfg, tc.req, tc.now)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExempt checks the one place exemption is decided: namespaces and exact usernames exempt,
// groups never do.
func TestExempt(t *testing.T) {
	tests := []struct {
		name   string
		config string
		req    decision.Request
		want   decision.Decision
		exempt bool
	}{
		{
			name:   "exempt user",
			config: "exemptions: {usernames: [ci-bot]}\n",
			req:    with(prod, func(r *decision.Request) { r.Username = "ci-bot" }),
			want:   decision.Decision{Outcome: decision.OutcomeAllow, Exempt: "username ci-bot"},
			exempt: true,
		},
		{
			name:   "same name as a group is not exempt",
			config: "exemptions: {usernames: [ci-bot]}\n",
			req:    with(prod, func(r *decision.Request) { r.Username = "alice"; r.Groups = []string{"ci-bot", "system:authenticated"} }),
		},
		{
			name:   "exempt namespace",
			config: "exemptions: {namespaces: [shop]}\n",
			req:    prod,
			want:   decision.Decision{Outcome: decision.OutcomeAllow, Exempt: "namespace shop"},
			exempt: true,
		},
		{
			name: "nothing exempts without exemptions",
			req:  prod,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, exempt := decision.Exempt(testConfig(t, tc.config), tc.req)
			if exempt != tc.exempt {
				t.Errorf("Exempt = %v, want %v", exempt, tc.exempt)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Exempt (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessagesLeaveOutWaivedAndAudit(t *testing.T) {
	d := decision.Decision{Findings: []decision.Finding{
		finding("MON-001", "audit"), finding("POD-001", "deny"), waived("POD-002", "EXC-1"), finding("POD-030", "warn")}}
	got := map[string][]string{
		"deny": d.Messages(policies.ActionDeny, ""),
		"warn": d.Messages(policies.ActionWarn, ""),
		"url":  d.Messages(policies.ActionDeny, "https://git.example.com/govhook/docs/policies/"),
	}
	want := map[string][]string{
		"deny": {"[POD-001] breaks POD-001 (see: govhook policies explain POD-001)"},
		"warn": {"[POD-030] breaks POD-030 (see: govhook policies explain POD-030)"},
		"url":  {"[POD-001] breaks POD-001 (see: https://git.example.com/govhook/docs/policies/POD-001.md)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
}

// BenchmarkDecide measures one decision with a tiered and a waived violation against a
// register of 20 exceptions.
func BenchmarkDecide(b *testing.B) {
	catalog := testCatalog(b)
	// 18 exceptions for other namespaces come first, so the matching one is looked up last.
	entries := strings.TrimPrefix(exceptionConfig, "exceptions:\n")
	exc1, _, ok := strings.Cut(entries, "  - id: EXC-2")
	if !ok {
		b.Fatal("exceptionConfig has no EXC-2")
	}
	register := "exceptions:\n"
	for i := range 18 {
		team := fmt.Sprintf("team-%d", i)
		register += strings.NewReplacer("EXC-1", "EXC-"+team, "shop", team).Replace(exc1)
	}
	register += entries
	cfg := testConfig(b, "enforcement: {policies: {POD-030: {action: deny, whenNamespaceLabels: {environment: prod}, otherwise: warn}}}\n"+register)
	vs := []policies.Violation{violation(b, catalog, "OWN-002"), violation(b, catalog, "POD-001"), violation(b, catalog, "POD-030")}
	b.ReportAllocs()
	for b.Loop() {
		d := decision.Decide(vs, cfg, dev, lastDay)
		if d.Outcome != decision.OutcomeWarn {
			b.Fatalf("outcome %s", d.Outcome)
		}
	}
}
