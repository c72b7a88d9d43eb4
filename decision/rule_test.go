package decision_test

import (
	"testing"
	"time"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/policies"
)

// TestActionRuleAgreesWithDecide checks the words against what Decide does in a prod and a
// dev namespace.
func TestActionRuleAgreesWithDecide(t *testing.T) {
	catalog := testCatalog(t)
	tests := []struct {
		name      string
		policy    string
		config    string
		want      string
		prod, dev string
	}{
		{"catalog default", "POD-001", "", "deny", "deny", "deny"},
		{"catalog tier", "OWN-002", "", "deny where namespace labels environment=prod, else warn", "deny", "warn"},
		{"default override", "OWN-002", "enforcement: {default: audit}", "audit", "audit", "audit"},
		{"per-policy action", "POD-001", "enforcement: {default: audit, policies: {POD-001: warn}}", "warn", "warn", "warn"},
		{"per-policy tier", "POD-030", "enforcement: {policies: {POD-030: {action: deny, whenNamespaceLabels: {environment: prod, tier: web}, otherwise: audit}}}",
			"deny where namespace labels environment=prod,tier=web, else audit", "deny", "audit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, tc.config+"\n")
			p, _ := catalog.Get(tc.policy)
			if got := decision.ActionRule(p, cfg); got != tc.want {
				t.Errorf("ActionRule = %q, want %q", got, tc.want)
			}
			for env, want := range map[string]string{"prod": tc.prod, "dev": tc.dev} {
				req := decision.Request{Namespace: "ns", NamespaceKnown: true, NamespaceLabels: map[string]string{"environment": env, "tier": "web"}}
				d := decision.Decide([]policies.Violation{{Policy: p, Message: "m"}}, cfg, req, time.Now())
				if got := d.Findings[0].Action; got != want {
					t.Errorf("Decide in a %s namespace: %s, want %s", env, got, want)
				}
			}
		})
	}
}
