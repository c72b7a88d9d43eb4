package offline

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/govhook/govhook/decision"
)

// Summary counts results by decision.
type Summary struct {
	Total   int `json:"total"`
	Allowed int `json:"allowed"`
	Warned  int `json:"warned"`
	Denied  int `json:"denied"`
}

// Summarize counts results.
func Summarize(results []Result) Summary {
	s := Summary{Total: len(results)}
	for _, r := range results {
		switch r.Decision.Outcome {
		case decision.OutcomeDeny, decision.OutcomeError:
			s.Denied++
		case decision.OutcomeWarn:
			s.Warned++
		default:
			s.Allowed++
		}
	}
	return s
}

// jsonResult is one result in the -o json shape of DESIGN.md §7.
type jsonResult struct {
	Result
	Outcome    decision.Outcome            `json:"decision"`
	Violations []decision.Finding          `json:"violations"`
	Exceptions []decision.AppliedException `json:"exceptions"`
	// ExpiredExceptions would have waived a violation had they not expired.
	ExpiredExceptions []decision.AppliedException `json:"expiredExceptions,omitempty"`
}

// WriteJSON writes {"results": [...], "summary": {...}}.
func WriteJSON(w io.Writer, results []Result) error {
	out := struct {
		Results []jsonResult `json:"results"`
		Summary Summary      `json:"summary"`
	}{Results: make([]jsonResult, len(results)), Summary: Summarize(results)}
	for i, r := range results {
		out.Results[i] = jsonResult{Result: r, Outcome: r.Decision.Outcome, Violations: r.Decision.Findings, Exceptions: r.Decision.Exceptions, ExpiredExceptions: r.Decision.Expired}
		if out.Results[i].Violations == nil {
			out.Results[i].Violations = []decision.Finding{}
		}
		if out.Results[i].Exceptions == nil {
			out.Results[i].Exceptions = []decision.AppliedException{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteTable writes one line per finding (or per clean object) and a summary line.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DECISION\tOBJECT\tSOURCE\tPOLICY\tACTION\tMESSAGE")
	for _, r := range results {
		object := r.Kind + "/" + r.Name
		if r.Namespace != "" {
			object = r.Kind + "/" + r.Namespace + "/" + r.Name
		}
		source := fmt.Sprintf("%s:%d", r.Source, r.Line)
		if len(r.Decision.Findings) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t%s\n", r.Decision.Outcome, object, source, exemptNote(r.Decision))
		}
		for _, f := range r.Decision.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t[%s] %s%s\n", r.Decision.Outcome, object, source, f.Policy, f.Action, f.Policy, f.Message, exceptionNote(r.Decision, f))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := Summarize(results)
	_, err := fmt.Fprintf(w, "\n%d objects: %d allowed, %d warned, %d denied\n", s.Total, s.Allowed, s.Warned, s.Denied)
	return err
}

func exemptNote(d decision.Decision) string {
	if d.Exempt != "" {
		return "exempt: " + d.Exempt
	}
	return ""
}

// exceptionNote names the exception that waived a finding, or the expired ones that no longer do.
func exceptionNote(d decision.Decision, f decision.Finding) string {
	if f.Exception != "" {
		return " (waived by exception " + f.Exception + ")"
	}
	var expired []string
	for _, e := range d.Expired {
		if e.Policy == f.Policy {
			expired = append(expired, e.ID+" expired "+e.Expires)
		}
	}
	if len(expired) == 0 {
		return ""
	}
	return " (exception " + strings.Join(expired, ", ") + ")"
}
