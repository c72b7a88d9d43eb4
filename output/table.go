package output

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/govhook/govhook/decision"
)

// tableFlushRows bounds the rows the table keeps before aligning and writing them: columns
// align within each block, and a scan of a large cluster streams.
const tableFlushRows = 1000

// table writes one row per finding (and per clean object unless FindingsOnly), problems as
// rows of their own, and a summary line.
type table struct {
	out        io.Writer
	tw         *tabwriter.Writer
	o          Options
	summary    Summary
	header     bool
	withSource bool
	rows       int
}

func newTable(w io.Writer, o Options) *table {
	return &table{out: w, tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0), o: o}
}

func (t *table) Summary() Summary { return t.summary }

// row writes one row, starting with the header; the SOURCE column appears when the first
// row has a source (manifests do, cluster objects do not).
func (t *table) row(source string, cells ...any) error {
	if !t.header {
		t.header, t.withSource = true, source != ""
		if t.withSource {
			fmt.Fprint(t.tw, "SOURCE\t")
		}
		fmt.Fprintln(t.tw, "DECISION\tOBJECT\tPOLICY\tACTION\tMESSAGE")
	}
	if t.withSource {
		fmt.Fprintf(t.tw, "%s\t", orDash(source))
	}
	format := "%s\t%s\t%s\t%s\t%s\n"
	if _, err := fmt.Fprintf(t.tw, format, cells...); err != nil {
		return err
	}
	if t.rows++; t.rows%tableFlushRows == 0 {
		return t.tw.Flush()
	}
	return nil
}

func (t *table) Result(r Result) error {
	t.summary.addResult(r)
	source := location(r.Source, r.Line)
	switch {
	case r.Error != "":
		return t.row(source, r.Decision.Outcome, r.Object(), "-", "-", r.Error)
	case len(r.Decision.Findings) == 0:
		if t.o.FindingsOnly {
			return nil
		}
		note := "-"
		if r.Decision.Exempt != "" {
			note = "exempt: " + r.Decision.Exempt
		}
		return t.row(source, r.Decision.Outcome, r.Object(), "-", "-", note)
	}
	for i, f := range r.Decision.Findings {
		if err := t.row(location(r.Source, r.FieldLine(i)), r.Decision.Outcome, r.Object(), f.Policy, f.Action, "["+f.Policy+"] "+f.Message+exceptionNote(r.Decision, f)); err != nil {
			return err
		}
	}
	return nil
}

func (t *table) Problem(p Problem) error {
	t.summary.addProblem()
	return t.row(location(p.Source, p.Line), "error", "-", "-", "-", p.Text())
}

func (t *table) Close() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	lead := "\n"
	if !t.header {
		lead = ""
	}
	_, err := fmt.Fprintf(t.out, "%s%s\n", lead, t.summary)
	return err
}

// exceptionNote names the exception that waived a finding, or the expired ones that no
// longer do.
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

// location is "file:line", or the file alone when the line is unknown.
func location(source string, line int) string {
	if source == "" || line <= 0 {
		return source
	}
	return fmt.Sprintf("%s:%d", source, line)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
