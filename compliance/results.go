package compliance

import (
	"cmp"
	"slices"
	"strings"

	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
)

// Source names govhook as the engine behind a report and each of its results.
const Source = "govhook"

// Result values of OpenReports.
const (
	ResultPass  openreportsv1alpha1.Result = "pass"
	ResultFail  openreportsv1alpha1.Result = "fail"
	ResultWarn  openreportsv1alpha1.Result = "warn"
	ResultError openreportsv1alpha1.Result = "error"
	ResultSkip  openreportsv1alpha1.Result = "skip"
)

// Property keys of a result.
const (
	// PropertyControls lists the policy's SOC 2 controls, comma separated.
	PropertyControls = "controls"
	// PropertyAction is the action the finding got (deny, warn, audit, waived).
	PropertyAction = "action"
	// PropertyField is the object field the finding is about.
	PropertyField = "field"
	// PropertyException is the id of the exception that waived the finding.
	PropertyException = "exception"
)

// Converter turns the decision on one object into report results. Each policy that judges the
// object's kind gives one result: fail for a finding that is denied or only audited (the
// object does not comply either way), warn for a warning, skip for a finding an exception
// waived, pass when the policy found nothing, error when the object could not be evaluated.
// An exempt object gives no results: it was not evaluated.
type Converter struct {
	byKind map[string][]policies.Policy
	any    []policies.Policy
}

// NewConverter returns a Converter for the selected policies.
func NewConverter(selected []policies.Policy) *Converter {
	c := &Converter{byKind: map[string][]policies.Policy{}}
	for _, p := range selected {
		for _, k := range p.Kinds {
			if k == "*" {
				c.any = append(c.any, p)
				continue
			}
			c.byKind[k] = append(c.byKind[k], p)
		}
	}
	return c
}

// policiesFor lists the policies that judge kind, by id.
func (c *Converter) policiesFor(kind string) []policies.Policy {
	ps := append(slices.Clone(c.byKind[kind]), c.any...)
	slices.SortFunc(ps, func(a, b policies.Policy) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(ps, func(a, b policies.Policy) bool { return a.ID == b.ID })
}

// Results converts r, judged at ts, into report results in policy id order.
func (c *Converter) Results(r output.Result, ts metav1.Timestamp) []openreportsv1alpha1.ReportResult {
	out, _ := c.results(r, ts, true)
	return out
}

// results converts r; without passes it only counts the pass results instead of building them
// (a full report has no room for them, and a cluster has many).
func (c *Converter) results(r output.Result, ts metav1.Timestamp, passes bool) ([]openreportsv1alpha1.ReportResult, int) {
	if r.Decision.Exempt != "" {
		return nil, 0
	}
	subject := []corev1.ObjectReference{{APIVersion: r.APIVersion, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}}
	base := func(p policies.Policy) openreportsv1alpha1.ReportResult {
		return openreportsv1alpha1.ReportResult{
			Source:     Source,
			Policy:     p.ID,
			Rule:       p.Package,
			Category:   firstOf(p.Groups),
			Severity:   openreportsv1alpha1.ResultSeverity(p.Severity),
			Timestamp:  ts,
			Scored:     true,
			Subjects:   subject,
			Properties: map[string]string{PropertyControls: strings.Join(p.Controls, ",")},
		}
	}
	applicable := c.policiesFor(r.Kind)
	var out []openreportsv1alpha1.ReportResult
	if r.Decision.Outcome == decision.OutcomeError {
		for _, p := range applicable {
			res := base(p)
			res.Result, res.Description = ResultError, "not evaluated: "+r.Error
			out = append(out, res)
		}
		return out, 0
	}
	found := map[string]bool{}
	for _, f := range r.Decision.Findings {
		found[f.Policy] = true
		p := policies.Policy{ID: f.Policy, Severity: f.Severity, Controls: f.Controls}
		if i := slices.IndexFunc(applicable, func(a policies.Policy) bool { return a.ID == f.Policy }); i >= 0 {
			p = applicable[i]
		}
		res := base(p)
		res.Severity = openreportsv1alpha1.ResultSeverity(f.Severity)
		res.Result, res.Description = findingResult(f.Action), f.Message
		res.Properties[PropertyAction] = f.Action
		if f.Field != "" {
			res.Properties[PropertyField] = f.Field
		}
		if f.Exception != "" {
			res.Properties[PropertyException] = f.Exception
		}
		out = append(out, res)
	}
	passed := 0
	for _, p := range applicable {
		if found[p.ID] {
			continue
		}
		passed++
		if !passes {
			continue
		}
		res := base(p)
		res.Result, res.Description = ResultPass, p.Title
		out = append(out, res)
	}
	slices.SortStableFunc(out, func(a, b openreportsv1alpha1.ReportResult) int { return cmp.Compare(a.Policy, b.Policy) })
	return out, passed
}

// findingResult is the report result of a finding with the given action.
func findingResult(action string) openreportsv1alpha1.Result {
	switch action {
	case policies.ActionWarn:
		return ResultWarn
	case decision.ActionWaived:
		return ResultSkip
	default: // deny, audit: the object does not comply
		return ResultFail
	}
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
