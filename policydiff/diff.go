// Package policydiff compares two versions of what govhook enforces, the policy catalog (as
// `govhook policies -o json` prints it) or the config file, and lists what changed: the
// change-history entry a reviewer signs off (`govhook policies diff`).
package policydiff

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/policies"
)

// Change is one difference between the old and the new version.
type Change struct {
	// Section groups changes alike, e.g. "Policies changed" or "Exceptions added".
	Section string `json:"section"`
	// Subject is what changed: a policy id, an exception id, a parameter name.
	Subject string `json:"subject"`
	// Field is the part of Subject that changed (empty when Subject was added or removed).
	Field string `json:"field,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// Sections, in the order a diff lists them.
const (
	PoliciesAdded     = "Policies added"
	PoliciesRemoved   = "Policies removed"
	PoliciesChanged   = "Policies changed"
	EnforcementChange = "Enforcement changed"
	ExceptionsAdded   = "Exceptions added"
	ExceptionsRemoved = "Exceptions removed"
	ExceptionsChanged = "Exceptions changed"
	ExceptionsExpired = "Exceptions expired"
	ExemptionsChanged = "Exemptions changed"
	ParametersChanged = "Parameters changed"
	ReviewsAdded      = "Policy reviews added"
	ReviewsRemoved    = "Policy reviews removed"
	SettingsChanged   = "Settings changed"
)

// SectionOrder lists every section in the order a diff shows them.
var SectionOrder = []string{PoliciesAdded, PoliciesRemoved, PoliciesChanged, EnforcementChange, ExceptionsAdded,
	ExceptionsRemoved, ExceptionsChanged, ExceptionsExpired, ExemptionsChanged, ParametersChanged, ReviewsAdded, ReviewsRemoved, SettingsChanged}

// Catalogs lists the policies added, removed, and changed in action, tiering, parameters,
// severity, SOC 2 controls, groups or kinds, in id order.
func Catalogs(old, new []policies.Policy) []Change {
	oldByID, newByID := byID(old), byID(new)
	var out []Change
	for _, id := range sortedUnion(oldByID, newByID) {
		o, inOld := oldByID[id]
		n, inNew := newByID[id]
		switch {
		case !inOld:
			out = append(out, Change{Section: PoliciesAdded, Subject: id, New: fmt.Sprintf("%s (%s, %s)", n.Title, n.Severity, n.DefaultAction())})
		case !inNew:
			out = append(out, Change{Section: PoliciesRemoved, Subject: id, Old: fmt.Sprintf("%s (%s, %s)", o.Title, o.Severity, o.DefaultAction())})
		default:
			for _, f := range []struct{ name, old, new string }{
				{"action", o.Action, n.Action},
				{"tiered", strconv.FormatBool(o.Tiered), strconv.FormatBool(n.Tiered)},
				{"parameters", list(o.Parameters), list(n.Parameters)},
				{"severity", o.Severity, n.Severity},
				{"controls", list(o.Controls), list(n.Controls)},
				{"groups", list(o.Groups), list(n.Groups)},
				{"kinds", list(o.Kinds), list(n.Kinds)},
				{"title", o.Title, n.Title},
			} {
				if f.old != f.new {
					out = append(out, Change{Section: PoliciesChanged, Subject: id, Field: f.name, Old: f.old, New: f.new})
				}
			}
		}
	}
	return out
}

// Configs lists what changed between two config files: per-policy enforcement, exceptions
// added, removed, changed and (as at now) expired, exemptions, parameters, reviews and the
// other settings.
func Configs(old, new *config.Config, now time.Time) []Change {
	var out []Change
	if o, n := old.Enforcement.Default, new.Enforcement.Default; o != n {
		out = append(out, Change{Section: EnforcementChange, Subject: "enforcement.default", Old: orCatalog(o), New: orCatalog(n)})
	}
	for _, id := range sortedUnion(old.Enforcement.Policies, new.Enforcement.Policies) {
		o, inOld := old.Enforcement.Policies[id]
		n, inNew := new.Enforcement.Policies[id]
		if inOld && inNew && reflect.DeepEqual(o, n) {
			continue
		}
		c := Change{Section: EnforcementChange, Subject: id, Old: "catalog default", New: "catalog default"}
		if inOld {
			c.Old = actionText(o)
		}
		if inNew {
			c.New = actionText(n)
		}
		out = append(out, c)
	}
	oldExc, newExc := exceptionsByID(old), exceptionsByID(new)
	for _, id := range sortedUnion(oldExc, newExc) {
		o, inOld := oldExc[id]
		n, inNew := newExc[id]
		switch {
		case !inOld:
			out = append(out, Change{Section: ExceptionsAdded, Subject: id, New: exceptionText(n)})
		case !inNew:
			out = append(out, Change{Section: ExceptionsRemoved, Subject: id, Old: exceptionText(o)})
		default:
			for _, f := range []struct{ name, old, new string }{
				{"policies", list(o.Policies), list(n.Policies)},
				{"match", o.Match.String(), n.Match.String()},
				{"expires", o.Expires, n.Expires},
				{"approvedBy", o.ApprovedBy, n.ApprovedBy},
				{"requestedBy", o.RequestedBy, n.RequestedBy},
				{"ticket", o.Ticket, n.Ticket},
				{"justification", o.Justification, n.Justification},
			} {
				if f.old != f.new {
					out = append(out, Change{Section: ExceptionsChanged, Subject: id, Field: f.name, Old: f.old, New: f.new})
				}
			}
		}
		if inNew && !n.ActiveAt(now) {
			out = append(out, Change{Section: ExceptionsExpired, Subject: id, Field: "expires", New: n.Expires + " (expired: waives nothing; remove it)"})
		}
	}
	for _, f := range []struct{ name, old, new string }{
		{"namespaces", list(old.Exemptions.Namespaces), list(new.Exemptions.Namespaces)},
		{"usernames", list(old.Exemptions.Usernames), list(new.Exemptions.Usernames)},
	} {
		if f.old != f.new {
			out = append(out, Change{Section: ExemptionsChanged, Subject: "exemptions." + f.name, Old: f.old, New: f.new})
		}
	}
	for _, k := range sortedUnion(old.Parameters, new.Parameters) {
		o, n := jsonText(old.Parameters, k), jsonText(new.Parameters, k)
		if o != n {
			out = append(out, Change{Section: ParametersChanged, Subject: k, Old: o, New: n})
		}
	}
	oldRev, newRev := reviewTexts(old), reviewTexts(new)
	for _, r := range newRev {
		if !slices.Contains(oldRev, r) {
			out = append(out, Change{Section: ReviewsAdded, Subject: "review", New: r})
		}
	}
	for _, r := range oldRev {
		if !slices.Contains(newRev, r) {
			out = append(out, Change{Section: ReviewsRemoved, Subject: "review", Old: r})
		}
	}
	for _, f := range []struct{ name, old, new string }{
		{"maxExceptionDays", itoa(old.MaxExceptionDays), itoa(new.MaxExceptionDays)},
		{"reviewIntervalDays", itoa(old.ReviewIntervalDays), itoa(new.ReviewIntervalDays)},
		{"onEvidenceFailure", old.OnEvidenceFailure, new.OnEvidenceFailure},
		{"docsBaseURL", old.DocsBaseURL, new.DocsBaseURL},
	} {
		if f.old != f.new {
			out = append(out, Change{Section: SettingsChanged, Subject: f.name, Old: f.old, New: f.new})
		}
	}
	return out
}

func byID(ps []policies.Policy) map[string]policies.Policy {
	m := make(map[string]policies.Policy, len(ps))
	for _, p := range ps {
		m[p.ID] = p
	}
	return m
}

func exceptionsByID(c *config.Config) map[string]*config.Exception {
	m := make(map[string]*config.Exception, len(c.Exceptions))
	for i := range c.Exceptions {
		m[c.Exceptions[i].ID] = &c.Exceptions[i]
	}
	return m
}

func sortedUnion[V1, V2 any](a map[string]V1, b map[string]V2) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func list(s []string) string { return strings.Join(s, ", ") }

func itoa(n int) string {
	if n == 0 {
		return "default"
	}
	return strconv.Itoa(n)
}

func orCatalog(a string) string {
	if a == "" {
		return "catalog defaults"
	}
	return a
}

func actionText(a config.PolicyAction) string {
	if len(a.WhenNamespaceLabels) == 0 {
		return a.Action
	}
	labels := make([]string, 0, len(a.WhenNamespaceLabels))
	for _, k := range slices.Sorted(maps.Keys(a.WhenNamespaceLabels)) {
		labels = append(labels, k+"="+a.WhenNamespaceLabels[k])
	}
	return fmt.Sprintf("%s where %s, %s elsewhere", a.Action, strings.Join(labels, ","), a.Otherwise)
}

func exceptionText(e *config.Exception) string {
	return fmt.Sprintf("%s for %s (%s), ticket %s, requested by %s, approved by %s, expires %s",
		list(e.Policies), e.Match.String(), e.Justification, e.Ticket, e.RequestedBy, e.ApprovedBy, e.Expires)
}

func reviewTexts(c *config.Config) []string {
	out := make([]string, 0, len(c.Reviews))
	for _, r := range c.Reviews {
		s := fmt.Sprintf("%s by %s of %s", r.ReviewedAt, r.ReviewedBy, list(r.Policies))
		if r.Ticket != "" {
			s += ", ticket " + r.Ticket
		}
		out = append(out, s)
	}
	return out
}

func jsonText(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok {
		return "(unset)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
