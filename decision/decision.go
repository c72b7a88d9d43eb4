// Package decision turns policy violations into an admission decision: each violation's
// action (deny, warn, audit) from the catalog and the config, and the outcome of the request.
// It is pure: no I/O, no clock of its own.
package decision

import (
	"fmt"
	"slices"
	"time"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/policies"
)

// Outcome is what happened to a request.
type Outcome string

// Outcomes, from most to least permissive.
const (
	OutcomeAllow Outcome = "allow"
	OutcomeWarn  Outcome = "warn"
	OutcomeDeny  Outcome = "deny"
	// OutcomeError is a request govhook could not evaluate; it is never admitted.
	OutcomeError Outcome = "error"
)

// Finding is one violation with the action it got and the policy facts an auditor needs.
type Finding struct {
	Policy   string   `json:"policy"`
	Severity string   `json:"severity"`
	Controls []string `json:"controls"`
	Action   string   `json:"action"`
	Message  string   `json:"message"`
	Field    string   `json:"field,omitempty"`
}

// AppliedException names an exception that waived a violation.
type AppliedException struct {
	ID         string `json:"id"`
	Policy     string `json:"policy"`
	ApprovedBy string `json:"approvedBy,omitempty"`
	Expires    string `json:"expires,omitempty"`
}

// Decision is the verdict on one request.
type Decision struct {
	Outcome    Outcome            `json:"decision"`
	Findings   []Finding          `json:"violations,omitempty"`
	Exceptions []AppliedException `json:"exceptions,omitempty"`
	// Exempt says why the request was not evaluated, when it was not.
	Exempt string `json:"exempt,omitempty"`
}

// Allowed reports whether the request is admitted.
func (d Decision) Allowed() bool { return d.Outcome == OutcomeAllow || d.Outcome == OutcomeWarn }

// Messages returns "[ID] message" for each finding with the given action, in policy order.
func (d Decision) Messages(action string) []string {
	var out []string
	for _, f := range d.Findings {
		if f.Action == action {
			out = append(out, fmt.Sprintf("[%s] %s", f.Policy, f.Message))
		}
	}
	return out
}

// Request is what a decision may depend on besides the violations.
type Request struct {
	Namespace       string
	NamespaceLabels map[string]string
	Kind            string
	Name            string
	Username        string
}

// Decide gives each violation its action and derives the outcome: deny if any finding is
// denied, warn if any warns, allow otherwise (audit findings are recorded, never shown).
func Decide(violations []policies.Violation, catalog *policies.Catalog, cfg *config.Config, req Request, now time.Time) Decision {
	_ = now // exceptions and their expiry come with the exceptions register
	if reason := Exemption(cfg, req); reason != "" {
		return Decision{Outcome: OutcomeAllow, Exempt: reason}
	}
	d := Decision{Outcome: OutcomeAllow}
	for _, v := range violations {
		f := Finding{Policy: v.PolicyID, Message: v.Message, Field: v.Field, Action: policies.ActionDeny, Severity: "high"}
		if p, ok := catalog.Get(v.PolicyID); ok {
			f.Severity, f.Controls, f.Action = p.Severity, p.Controls, p.Action
		}
		f.Action = action(f.Policy, f.Action, cfg)
		d.Findings = append(d.Findings, f)
		switch {
		case f.Action == policies.ActionDeny:
			d.Outcome = OutcomeDeny
		case f.Action == policies.ActionWarn && d.Outcome == OutcomeAllow:
			d.Outcome = OutcomeWarn
		}
	}
	return d
}

// Exemption returns why a request is exempt from evaluation, or "" when it is not.
func Exemption(cfg *config.Config, req Request) string {
	if req.Namespace != "" && slices.Contains(cfg.Exemptions.Namespaces, req.Namespace) {
		return "namespace " + req.Namespace
	}
	if req.Username != "" && slices.Contains(cfg.Exemptions.Usernames, req.Username) {
		return "username " + req.Username
	}
	return ""
}

// action picks a policy's action: the config's per-policy choice, else its default override,
// else the catalog's.
func action(policyID, catalogAction string, cfg *config.Config) string {
	if a, ok := cfg.Enforcement.Policies[policyID]; ok {
		return a
	}
	if cfg.Enforcement.Default != "" {
		return cfg.Enforcement.Default
	}
	return catalogAction
}
