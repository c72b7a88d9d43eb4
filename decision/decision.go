// Package decision turns policy violations into an admission decision: each violation's
// action (deny, warn, audit) from the catalog, the config and the namespace's tier; exemptions;
// exceptions and their expiry; and the outcome of the request.
// It is pure: no I/O, no clock of its own.
package decision

import (
	"fmt"
	"path"
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

// ActionWaived is the action of a finding an exception waived: it stays on the record and
// counts toward nothing.
const ActionWaived = "waived"

// Finding is one violation with the action it got and the policy facts an auditor needs.
type Finding struct {
	Policy   string   `json:"policy"`
	Severity string   `json:"severity"`
	Controls []string `json:"controls"`
	Action   string   `json:"action"`
	Message  string   `json:"message"`
	Field    string   `json:"field,omitempty"`
	// Exception is the id of the exception that waived the finding (Action is then "waived").
	Exception string `json:"exception,omitempty"`
}

// AppliedException names an exception that waived a violation (or, in Decision.Expired, one
// that would have, had it not expired).
type AppliedException struct {
	ID     string `json:"id"`
	Policy string `json:"policy"`
	// RequestedBy and ApprovedBy are on the record so that the evidence shows segregation of
	// duties exception by exception.
	RequestedBy string `json:"requestedBy,omitempty"`
	ApprovedBy  string `json:"approvedBy,omitempty"`
	// Expires is the exception's expiry as the register writes it.
	Expires string `json:"expires,omitempty"`
}

// Decision is the verdict on one request.
type Decision struct {
	Outcome  Outcome   `json:"decision"`
	Findings []Finding `json:"violations,omitempty"`
	// Exceptions lists each exception that waived a finding, once per exception and policy.
	Exceptions []AppliedException `json:"exceptions,omitempty"`
	// Expired lists the expired exceptions that matched a finding no live exception waived:
	// they were ignored, and metrics count them.
	Expired []AppliedException `json:"expiredExceptions,omitempty"`
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
	// Namespace is the request's namespace; for a Namespace object, its own name.
	Namespace string
	// NamespaceKnown says whether NamespaceLabels are known. When they are not (no cache entry,
	// no Namespace in the manifests, a cluster-scoped object), tiered policies take their
	// stricter action: fail closed.
	NamespaceKnown bool
	// NamespaceLabels are the namespace's labels; for a Namespace object, its own.
	NamespaceLabels map[string]string
	Kind            string
	Name            string
	Username        string
	// Groups are the requester's groups. They never exempt a request: see Exemption.
	Groups []string
}

// Decide gives each violation of a request that is not exempt (see Exempt) its action, waives
// those a live exception covers, and derives the outcome: deny if any finding is denied, warn
// if any warns, allow otherwise (audit and waived findings are recorded, never shown).
func Decide(violations []policies.Violation, cfg *config.Config, req Request, now time.Time) Decision {
	d := Decision{Outcome: OutcomeAllow}
	if len(violations) > 0 {
		d.Findings = make([]Finding, 0, len(violations))
	}
	for _, v := range violations {
		// A violation without its policy cannot come from the engine; if one does, deny.
		f := Finding{Message: v.Message, Field: v.Field, Action: policies.ActionDeny, Severity: "high"}
		p := v.Policy
		if p != nil {
			f.Policy, f.Severity, f.Controls = p.ID, p.Severity, p.Controls
		}
		f.Action = ruleFor(p, cfg).action(req)
		if v.Advisory && f.Action == policies.ActionDeny { // a policy's warn rule never denies
			f.Action = policies.ActionWarn
		}
		if e, expired := exceptionFor(cfg, f.Policy, req, now); e != nil {
			f.Action, f.Exception = ActionWaived, e.ID
			d.Exceptions = appendOnce(d.Exceptions, applied(e, f.Policy))
		} else {
			for _, x := range expired {
				d.Expired = appendOnce(d.Expired, applied(x, f.Policy))
			}
		}
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

// Exempt decides whether a request is exempt from evaluation, once, before anything is
// evaluated: when it is, the decision allows it unevaluated and says why. Only namespaces and
// exact usernames exempt. Groups never do: system:serviceaccounts and
// system:serviceaccounts:<ns> take in every controller's service account, and a controller
// creating pods is exactly what policy must still see.
func Exempt(cfg *config.Config, req Request) (Decision, bool) {
	var reason string
	switch {
	case req.Namespace != "" && slices.Contains(cfg.Exemptions.Namespaces, req.Namespace):
		reason = "namespace " + req.Namespace
	case req.Username != "" && slices.Contains(cfg.Exemptions.Usernames, req.Username):
		reason = "username " + req.Username
	default:
		return Decision{}, false
	}
	return Decision{Outcome: OutcomeAllow, Exempt: reason}, true
}

// exceptionFor returns the first exception in register order that covers policyID for req and
// is live at now, or else the expired exceptions that would have.
func exceptionFor(cfg *config.Config, policyID string, req Request, now time.Time) (live *config.Exception, expired []*config.Exception) {
	for i := range cfg.Exceptions {
		e := &cfg.Exceptions[i]
		if !slices.Contains(e.Policies, policyID) || !matches(e.Match, req) {
			continue
		}
		if e.ActiveAt(now) {
			return e, nil
		}
		expired = append(expired, e)
	}
	return nil, expired
}

// matches reports whether an exception's match covers the request: every non-empty list must
// contain it (names as exact names or path.Match globs).
func matches(m config.ExceptionMatch, req Request) bool {
	if len(m.Namespaces) > 0 && !slices.Contains(m.Namespaces, req.Namespace) {
		return false
	}
	if len(m.Kinds) > 0 && !slices.Contains(m.Kinds, req.Kind) {
		return false
	}
	if len(m.Names) == 0 {
		return true
	}
	for _, pattern := range m.Names {
		if ok, _ := path.Match(pattern, req.Name); ok {
			return true
		}
	}
	return false
}

func applied(e *config.Exception, policyID string) AppliedException {
	return AppliedException{ID: e.ID, Policy: policyID, RequestedBy: e.RequestedBy, ApprovedBy: e.ApprovedBy, Expires: e.Expires}
}

func appendOnce(list []AppliedException, a AppliedException) []AppliedException {
	if slices.Contains(list, a) {
		return list
	}
	return append(list, a)
}
