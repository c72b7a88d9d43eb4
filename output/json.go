package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/govhook/govhook/decision"
)

// jsonResult is one result in the -o json shape the README documents ("Check manifests in CI").
type jsonResult struct {
	Result
	Outcome    decision.Outcome            `json:"decision"`
	Violations []decision.Finding          `json:"violations"`
	Exceptions []decision.AppliedException `json:"exceptions"`
	// ExpiredExceptions would have waived a violation had they not expired.
	ExpiredExceptions []decision.AppliedException `json:"expiredExceptions,omitempty"`
	Exempt            string                      `json:"exempt,omitempty"`
}

// jsonReport streams {"results": [...], "errors": [...], "summary": {...}}: results as they
// arrive, problems (few) kept for the end.
type jsonReport struct {
	w        *bufio.Writer
	summary  Summary
	problems []Problem
	started  bool
	count    int
}

func newJSON(w io.Writer) *jsonReport { return &jsonReport{w: bufio.NewWriter(w)} }

func (j *jsonReport) Summary() Summary { return j.summary }

func (j *jsonReport) start() {
	if !j.started {
		j.started = true
		j.w.WriteString("{\n  \"results\": [")
	}
}

func (j *jsonReport) Result(r Result) error {
	j.summary.addResult(r)
	j.start()
	out := jsonResult{Result: r, Outcome: r.Decision.Outcome, Violations: r.Decision.Findings, Exceptions: r.Decision.Exceptions, ExpiredExceptions: r.Decision.Expired, Exempt: r.Decision.Exempt}
	if out.Violations == nil {
		out.Violations = []decision.Finding{}
	}
	if out.Exceptions == nil {
		out.Exceptions = []decision.AppliedException{}
	}
	data, err := json.MarshalIndent(out, "    ", "  ")
	if err != nil {
		return err
	}
	if j.count > 0 {
		j.w.WriteByte(',')
	}
	j.count++
	j.w.WriteString("\n    ")
	_, err = j.w.Write(data)
	return err
}

func (j *jsonReport) Problem(p Problem) error {
	j.summary.addProblem()
	j.problems = append(j.problems, p)
	return nil
}

func (j *jsonReport) Close() error {
	j.start()
	if j.count > 0 {
		j.w.WriteString("\n  ")
	}
	problems := j.problems
	if problems == nil {
		problems = []Problem{}
	}
	errs, err := json.MarshalIndent(problems, "  ", "  ")
	if err != nil {
		return err
	}
	summary, err := json.MarshalIndent(j.summary, "  ", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(j.w, "],\n  \"errors\": %s,\n  \"summary\": %s\n}\n", errs, summary)
	return j.w.Flush()
}
