package config

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
)

// globChars are the characters that would make a name a pattern; only exception names may be.
const globChars = `*?[\`

// validate checks everything decoding cannot: versions, actions, ids, the exceptions' paper
// trail and expiry. It also fills each exception's parsed end.
func (c *Config) validate(o options) []error {
	var errs []error
	if c.APIVersion != APIVersion {
		errs = append(errs, c.fieldError(fmt.Sprintf("must be %s, got %q", APIVersion, c.APIVersion), "apiVersion"))
	}
	if c.Kind != Kind {
		errs = append(errs, c.fieldError(fmt.Sprintf("must be %s, got %q", Kind, c.Kind), "kind"))
	}
	if c.Enforcement.Default != "" && !validAction(c.Enforcement.Default) {
		errs = append(errs, c.fieldError(fmt.Sprintf("%q must be deny, warn or audit", c.Enforcement.Default), "enforcement", "default"))
	}
	for _, id := range sortedKeys(c.Enforcement.Policies) {
		errs = append(errs, c.validatePolicyAction(o, id, c.Enforcement.Policies[id])...)
	}
	errs = append(errs, c.validateExemptions()...)
	errs = append(errs, c.validateEvidence()...)
	errs = append(errs, c.validateReviews(o)...)
	if c.DocsBaseURL != "" {
		if u, err := url.Parse(c.DocsBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, c.fieldError(fmt.Sprintf("%q must be an http(s) URL without query or fragment, e.g. https://github.com/org/repo/blob/main/docs/policies", c.DocsBaseURL), "docsBaseURL"))
		}
	}
	if c.MaxExceptionDays < 0 {
		errs = append(errs, c.fieldError("must be a positive number of days", "maxExceptionDays"))
	}
	seen := map[string]int{}
	for i := range c.Exceptions {
		e := &c.Exceptions[i]
		if first, dup := seen[e.ID]; dup && e.ID != "" {
			errs = append(errs, c.fieldError(fmt.Sprintf("id %s is also used by exceptions[%d]; ids must be unique", e.ID, first), "exceptions", i, "id"))
		}
		seen[e.ID] = i
		errs = append(errs, c.validateException(o, i, e)...)
	}
	if v, ok := c.Parameters["environmentLabel"]; ok {
		if s, isString := v.(string); !isString || s == "" {
			errs = append(errs, c.fieldError("must be a label key (a non-empty string)", "parameters", "environmentLabel"))
		}
	}
	return errs
}

func (c *Config) validatePolicyAction(o options, id string, a PolicyAction) []error {
	at := []any{"enforcement", "policies", id}
	errs := c.checkPolicyID(o, id, at...)
	if !validAction(a.Action) {
		errs = append(errs, c.fieldError(fmt.Sprintf("action %q must be deny, warn or audit", a.Action), at...))
	}
	switch {
	case len(a.WhenNamespaceLabels) > 0 && !validAction(a.Otherwise):
		errs = append(errs, c.fieldError(fmt.Sprintf("%q must be deny, warn or audit (the action outside the namespaces whenNamespaceLabels selects)", a.Otherwise), append(at, "otherwise")...))
	case len(a.WhenNamespaceLabels) == 0 && a.Otherwise != "":
		errs = append(errs, c.fieldError("is used only with whenNamespaceLabels", append(at, "otherwise")...))
	}
	for _, key := range sortedKeys(a.WhenNamespaceLabels) {
		if key == "" {
			errs = append(errs, c.fieldError("label keys must not be empty", append(at, "whenNamespaceLabels")...))
		}
	}
	return errs
}

// checkPolicyID refuses an empty id, a wildcard, and (with KnownPolicies) an id the catalog
// does not have.
func (c *Config) checkPolicyID(o options, id string, at ...any) []error {
	switch {
	case id == "":
		return []error{c.fieldError("policy id must not be empty", at...)}
	case strings.ContainsAny(id, globChars):
		return []error{c.fieldError(fmt.Sprintf("%q: wildcards are not allowed; name each policy id", id), at...)}
	case o.known != nil && !o.known[id]:
		return []error{c.fieldError(fmt.Sprintf("unknown policy id %s (see govhook policies)", id), at...)}
	}
	return nil
}

func (c *Config) validateExemptions() []error {
	var errs []error
	for _, list := range []namedList{{"namespaces", c.Exemptions.Namespaces}, {"usernames", c.Exemptions.Usernames}} {
		for i, name := range list.values {
			if name == "" || strings.ContainsAny(name, globChars) {
				errs = append(errs, c.fieldError(fmt.Sprintf("%q: exemptions name exact %s, without wildcards", name, list.field), "exemptions", list.field, i))
			}
		}
	}
	return errs
}

func (c *Config) validateException(o options, i int, e *Exception) []error {
	at := func(field ...any) []any { return append([]any{"exceptions", i}, field...) }
	var errs []error
	required := []struct{ name, value string }{
		{"id", e.ID}, {"justification", e.Justification}, {"ticket", e.Ticket},
		{"requestedBy", e.RequestedBy}, {"approvedBy", e.ApprovedBy}, {"expires", e.Expires},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			errs = append(errs, c.fieldError("is required: every exception is documented, approved and time-bound", at(r.name)...))
		}
	}
	if len(e.Policies) == 0 {
		errs = append(errs, c.fieldError("must name at least one policy id", at("policies")...))
	}
	for j, id := range e.Policies {
		errs = append(errs, c.checkPolicyID(o, id, at("policies", j)...)...)
	}
	if e.RequestedBy != "" && strings.EqualFold(strings.TrimSpace(e.RequestedBy), strings.TrimSpace(e.ApprovedBy)) {
		errs = append(errs, c.fieldError("must differ from requestedBy: nobody approves their own exception", at("approvedBy")...))
	}
	m := e.Match
	if len(m.Namespaces)+len(m.Kinds)+len(m.Names) == 0 {
		errs = append(errs, c.fieldError("must list namespaces, kinds or names; to relax a policy everywhere, set its action in enforcement.policies", at("match")...))
	}
	for _, list := range []namedList{{"namespaces", m.Namespaces}, {"kinds", m.Kinds}} {
		for j, v := range list.values {
			if v == "" || strings.ContainsAny(v, globChars) {
				errs = append(errs, c.fieldError(fmt.Sprintf("%q: %s are matched exactly; only names may be globs", v, list.field), at("match", list.field, j)...))
			}
		}
	}
	for j, pattern := range m.Names {
		if _, err := path.Match(pattern, ""); err != nil || pattern == "" {
			errs = append(errs, c.fieldError(fmt.Sprintf("%q is not a name or a glob (path.Match syntax)", pattern), at("match", "names", j)...))
		}
	}
	if e.Expires != "" {
		end, err := ParseExpiry(e.Expires)
		switch latest := c.maxExpiry(o.now()); {
		case err != nil:
			errs = append(errs, c.fieldError(err.Error(), at("expires")...))
		case end.After(latest):
			errs = append(errs, c.fieldError(fmt.Sprintf("%s is more than %d days from today; the latest allowed is %s",
				e.Expires, int(c.MaxExceptionLifetime().Hours()/24), latest.AddDate(0, 0, -1).Format(dateLayout)), at("expires")...))
		default:
			e.end = end
		}
	}
	return errs
}

// namedList is a list field with its name, for checks that run over several alike.
type namedList struct {
	field  string
	values []string
}

func validAction(a string) bool {
	switch a {
	case "deny", "warn", "audit":
		return true
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
