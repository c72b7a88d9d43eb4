package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/policies"
)

// today is the clock of every test: exceptions may expire up to 180 days after it.
var today = time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC)

var catalogIDs = []string{"OWN-002", "POD-001", "POD-030", "RBAC-002"}

func parse(src string) (*config.Config, error) {
	return config.Parse([]byte(src), config.KnownPolicies(catalogIDs), config.Clock(func() time.Time { return today }))
}

const validConfig = `apiVersion: govhook.io/v1alpha1
kind: Config
enforcement:
  default: warn
  policies:
    POD-030: audit
    OWN-002: {action: deny, whenNamespaceLabels: {environment: prod}, otherwise: warn}
exemptions:
  namespaces: [kube-system]
  usernames: [system:serviceaccount:flux-system:kustomize-controller]
exceptions:
  - id: EXC-2026-014
    policies: [POD-001]
    match: {namespaces: [monitoring], kinds: [DaemonSet], names: [node-exporter-*]}
    justification: node exporter reads host metrics
    ticket: SEC-123
    requestedBy: alice@example.com
    approvedBy: bob@example.com
    expires: 2027-01-31
parameters:
  ownerLabel: team
  since: 2026-01-01
  registries: [{host: ecr, ports: [443]}]
`

func TestParseValid(t *testing.T) {
	cfg, err := parse(validConfig)
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Config{
		APIVersion: config.APIVersion,
		Kind:       config.Kind,
		Enforcement: config.Enforcement{Default: "warn", Policies: map[string]config.PolicyAction{
			"POD-030": {Action: "audit"},
			"OWN-002": {Action: "deny", WhenNamespaceLabels: map[string]string{"environment": "prod"}, Otherwise: "warn"},
		}},
		Exemptions: config.Exemptions{Namespaces: []string{"kube-system"}, Usernames: []string{"system:serviceaccount:flux-system:kustomize-controller"}},
		Exceptions: []config.Exception{{
			ID: "EXC-2026-014", Policies: []string{"POD-001"},
			Match:         config.ExceptionMatch{Namespaces: []string{"monitoring"}, Kinds: []string{"DaemonSet"}, Names: []string{"node-exporter-*"}},
			Justification: "node exporter reads host metrics", Ticket: "SEC-123",
			RequestedBy: "alice@example.com", ApprovedBy: "bob@example.com", Expires: "2027-01-31",
		}},
		// Dates stay the strings they were written as; numbers and nesting are JSON-shaped.
		Parameters: map[string]any{"ownerLabel": "team", "since": "2026-01-01", "registries": []any{map[string]any{"host": "ecr", "ports": []any{443}}}},
	}
	if diff := cmp.Diff(want, cfg, cmpopts.IgnoreUnexported(config.Config{}, config.Exception{})); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	if got, want := cfg.Exceptions[0].End(), time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("End() = %v, want %v", got, want)
	}
	if !strings.HasPrefix(cfg.Digest(), "sha256:") || cfg.Digest() == config.Default().Digest() {
		t.Errorf("Digest() = %q", cfg.Digest())
	}
	again, _ := parse(validConfig + "\n\n")
	if again.Digest() != cfg.Digest() {
		t.Error("trailing blank lines changed the digest")
	}
	changed, _ := parse(strings.Replace(validConfig, "SEC-123", "SEC-124", 1))
	if changed.Digest() == cfg.Digest() {
		t.Error("a changed config kept its digest")
	}
}

// exception returns validConfig with its exception's field lines replaced: each of
// replacements is "old", "new".
func edit(replacements ...string) string {
	return strings.NewReplacer(replacements...).Replace(validConfig)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // each must appear in the error
	}{
		{"unknown top-level field", strings.Replace(validConfig, "enforcement:", "enforcment:", 1),
			[]string{"line 3: enforcment: unknown field (known fields: apiVersion, enforcement, evidence, exceptions, exemptions, kind, maxExceptionDays, onEvidenceFailure, parameters)"}},
		{"unknown nested field", edit("kinds: [DaemonSet]", "kinds: [DaemonSet], labels: {a: b}"),
			[]string{"line 14: exceptions[0].match.labels: unknown field"}},
		{"unknown field of a tiered action", edit("otherwise: warn", "else: warn"),
			[]string{"line 7: enforcement.policies.OWN-002.else: unknown field (known fields: action, otherwise, whenNamespaceLabels)"}},
		{"group exemption", edit("  usernames:", "  groups: [system:serviceaccounts]\n  usernames:"),
			[]string{"line 10: exemptions.groups: group exemptions are not offered"}},
		{"duplicate key", edit("    POD-030: audit\n", "    POD-030: audit\n    POD-030: deny\n"),
			[]string{"line 7: enforcement.policies.POD-030: given twice (first on line 6)"}},
		{"duplicate parameter", edit("  ownerLabel: team\n", "  ownerLabel: team\n  ownerLabel: owner\n"),
			[]string{"parameters.ownerLabel: given twice"}},
		{"wrong apiVersion", edit("govhook.io/v1alpha1", "govhook.io/v1"),
			[]string{"line 1: apiVersion: must be govhook.io/v1alpha1"}},
		{"wrong kind", edit("kind: Config", "kind: Konfig"), []string{"line 2: kind: must be Config"}},
		{"invalid action", edit("POD-030: audit", "POD-030: block"),
			[]string{`line 6: enforcement.policies.POD-030: action "block" must be deny, warn or audit`}},
		{"invalid default", edit("default: warn", "default: allow"),
			[]string{`line 4: enforcement.default: "allow" must be deny, warn or audit`}},
		{"tier without otherwise", edit(", otherwise: warn", ""),
			[]string{`line 7: enforcement.policies.OWN-002.otherwise: "" must be deny, warn or audit`}},
		{"otherwise without a tier", edit("whenNamespaceLabels: {environment: prod}, ", ""),
			[]string{"line 7: enforcement.policies.OWN-002.otherwise: is used only with whenNamespaceLabels"}},
		{"unknown policy id", edit("POD-030: audit", "POD-999: audit"),
			[]string{"line 6: enforcement.policies.POD-999: unknown policy id POD-999"}},
		{"wildcard policy id", edit("policies: [POD-001]", "policies: [POD-*]"),
			[]string{`line 13: exceptions[0].policies[0]: "POD-*": wildcards are not allowed`}},
		{"no policies", edit("policies: [POD-001]", "policies: []"),
			[]string{"line 13: exceptions[0].policies: must name at least one policy id"}},
		{"malformed date", edit("expires: 2027-01-31", "expires: 31/01/2027"),
			[]string{`line 19: exceptions[0].expires: "31/01/2027" is neither a date (YYYY-MM-DD) nor an RFC 3339 time`}},
		{"missing paper trail", edit("    justification: node exporter reads host metrics\n", "", "    ticket: SEC-123\n", "", "    expires: 2027-01-31\n", ""),
			[]string{"line 12: exceptions[0].justification: is required", "line 12: exceptions[0].ticket: is required", "line 12: exceptions[0].expires: is required"}},
		{"missing approver", edit("    approvedBy: bob@example.com\n", ""),
			[]string{"line 12: exceptions[0].approvedBy: is required"}},
		{"self-approved", edit("approvedBy: bob@example.com", "approvedBy: Alice@Example.com"),
			[]string{"line 18: exceptions[0].approvedBy: must differ from requestedBy"}},
		{"expires too far ahead", edit("expires: 2027-01-31", "expires: 2027-05-28"),
			[]string{"line 19: exceptions[0].expires: 2027-05-28 is more than 180 days from today; the latest allowed is 2027-05-27"}},
		{"expires too far ahead of a configured maximum", edit("exceptions:", "maxExceptionDays: 30\nexceptions:"),
			[]string{"exceptions[0].expires: 2027-01-31 is more than 30 days from today; the latest allowed is 2026-12-28"}},
		{"match matches everything", edit("match: {namespaces: [monitoring], kinds: [DaemonSet], names: [node-exporter-*]}", "match: {}"),
			[]string{"line 14: exceptions[0].match: must list namespaces, kinds or names"}},
		{"glob namespace", edit("namespaces: [monitoring]", "namespaces: [mon*]"),
			[]string{`exceptions[0].match.namespaces[0]: "mon*": namespaces are matched exactly`}},
		{"bad name glob", edit("names: [node-exporter-*]", "names: ['node-[']"),
			[]string{`exceptions[0].match.names[0]: "node-[" is not a name or a glob`}},
		{"wildcard username exemption", edit("usernames: [system:serviceaccount:flux-system:kustomize-controller]", "usernames: ['system:serviceaccount:*']"),
			[]string{`line 10: exemptions.usernames[0]: "system:serviceaccount:*": exemptions name exact usernames`}},
		{"duplicate exception id", strings.Replace(validConfig, "parameters:", "  - id: EXC-2026-014\n    policies: [POD-001]\n    match: {names: [x]}\n    justification: j\n    ticket: t\n    requestedBy: a\n    approvedBy: b\n    expires: 2027-01-01\nparameters:", 1),
			[]string{"line 20: exceptions[1].id: id EXC-2026-014 is also used by exceptions[0]"}},
		{"bad environment label", edit("ownerLabel: team", "environmentLabel: [env]"),
			[]string{"parameters.environmentLabel: must be a label key"}},
		{"wrong type", edit("policies: [POD-001]", "policies: POD-001"),
			[]string{"line 13: cannot unmarshal !!str `POD-001` into []string"}},
		{"empty file", "", []string{"the config file is empty"}},
		{"two documents", validConfig + "---\n" + validConfig, []string{"exactly one YAML document"}},
		{"not a mapping", "- a\n", []string{"line 1: (document): must be a mapping"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.src)
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("Parse error = %v, want ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse error:\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestParseExpiryBounds(t *testing.T) {
	tests := []struct {
		name    string
		expires string
		wantErr bool
	}{
		{"the last day allowed", "2027-05-27", false},
		{"the day after", "2027-05-28", true},
		{"an instant on the last day", "2027-05-27T23:59:59Z", false},
		{"an instant after it", "2027-05-28T00:00:01Z", true},
		{"already expired: kept in the register, ignored by decisions", "2020-01-01", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(edit("expires: 2027-01-31", "expires: "+tc.expires))
			if (err != nil) != tc.wantErr {
				t.Fatalf("Parse(expires %s) error = %v, want error %v", tc.expires, err, tc.wantErr)
			}
		})
	}
}

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2027-01-31", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"2027-12-31", time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2027-01-31T12:00:00+02:00", time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		got, err := config.ParseExpiry(tc.in)
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := config.ParseExpiry("next week"); err == nil {
		t.Error("ParseExpiry accepted prose")
	}
}

func TestActiveExceptions(t *testing.T) {
	cfg := &config.Config{Exceptions: []config.Exception{
		{ID: "A", Policies: []string{"POD-001", "OWN-002"}, Expires: "2027-01-31"},
		{ID: "B", Policies: []string{"POD-001"}, Expires: "2027-01-31T12:00:00Z"},
		{ID: "C", Policies: []string{"RBAC-002"}, Expires: "2026-01-01"},
		{ID: "D", Policies: []string{"POD-030"}, Expires: "not a date"},
	}}
	tests := []struct {
		now  time.Time
		want map[string]int
	}{
		{time.Date(2027, 1, 31, 11, 59, 59, 0, time.UTC), map[string]int{"POD-001": 2, "OWN-002": 1, "RBAC-002": 0, "POD-030": 0}},
		{time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC), map[string]int{"POD-001": 1, "OWN-002": 1, "RBAC-002": 0, "POD-030": 0}},
		{time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), map[string]int{"POD-001": 0, "OWN-002": 0, "RBAC-002": 0, "POD-030": 0}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, cfg.ActiveExceptions(tc.now)); diff != "" {
			t.Errorf("ActiveExceptions(%v) (-want +got):\n%s", tc.now, diff)
		}
	}
}

func TestEnvironmentLabel(t *testing.T) {
	cfg, err := parse(edit("ownerLabel: team", "environmentLabel: stage"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.EnvironmentLabel(); got != "stage" {
		t.Errorf("EnvironmentLabel() = %q, want stage", got)
	}
	if got := config.Default().EnvironmentLabel(); got != config.DefaultEnvironmentLabel {
		t.Errorf("default EnvironmentLabel() = %q", got)
	}
}

// TestExampleConfig keeps the documented example in deploy/ valid against the real catalog.
func TestExampleConfig(t *testing.T) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	// The day the example was written: its exceptions must be within the maximum of it.
	written := func() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }
	cfg, err := config.Load("../deploy/config/config.yaml", config.KnownPolicies(catalog.IDs()), config.Clock(written))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Exceptions) == 0 || len(cfg.Enforcement.Policies) == 0 || len(cfg.Exemptions.Namespaces) == 0 {
		t.Errorf("the example should show enforcement, exemptions and exceptions: %+v", cfg)
	}
}
