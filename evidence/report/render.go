package report

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/govhook/govhook/evidence"
)

// DefaultMaxRows bounds each population table of the HTML and Markdown reports; the JSON
// report and the CSV export always hold every row (streamed from the population's spool).
const DefaultMaxRows = 500

//go:embed report.html.tmpl
var reportHTML string

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"ts":     ts,
	"join":   strings.Join,
	"period": periodText,
	"keys":   keysText,
	"anchor": anchorText,
}).Parse(reportHTML))

// keysText names the keys that signed a chain's checkpoints.
func keysText(c evidence.Chain) string {
	if len(c.KeyIDs) == 0 {
		return "unsigned"
	}
	return strings.Join(c.KeyIDs, ", ")
}

// anchorText says how a chain stands against its replica's newest anchor.
func anchorText(v *evidence.Verification, c evidence.Chain) string {
	ahead := ""
	if c.AheadSeq != 0 {
		ahead = fmt.Sprintf("; the newest anchor (seq %d) is ahead, within the grace", c.AheadSeq)
	}
	switch {
	case !v.AnchorsChecked:
		return "not checked (no anchors given)"
	case c.AnchoredSeq == 0:
		return "no anchor" + ahead
	case c.LastSeq < c.AnchoredSeq:
		return fmt.Sprintf("SHORT of the newest anchor (seq %d, %s)", c.AnchoredSeq, ts(c.AnchoredTime)) + ahead
	}
	return fmt.Sprintf("reaches seq %d (%s), %d past it", c.AnchoredSeq, ts(c.AnchoredTime), c.PastAnchor) + ahead
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// periodText names the period as asked for.
func periodText(p Period) string {
	switch {
	case !p.From.IsZero() && !p.To.IsZero():
		return ts(p.From) + " to " + ts(p.To)
	case !p.From.IsZero():
		return "from " + ts(p.From)
	case !p.To.IsZero():
		return "until " + ts(p.To)
	}
	return "all records"
}

// population is one table of decisions to sample from.
type population struct {
	Title string
	File  string
	Rows  *Population
	Len   int
	Shown []DecisionRow // the first rows, as many as html and md show
	More  int
}

// populations lists the report's populations with the first maxRows rows of each read.
func (r *Report) populations(maxRows int) ([]population, error) {
	out := r.populationFiles()
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	for i := range out {
		p := &out[i]
		shown, err := p.Rows.Head(maxRows)
		if err != nil {
			return nil, err
		}
		p.Shown, p.More = shown, p.Len-len(shown)
	}
	return out, nil
}

// populationFiles names the populations and their CSV files.
func (r *Report) populationFiles() []population {
	return []population{
		{Title: "Denied requests", File: "denials.csv", Rows: r.Denials, Len: r.Denials.Len()},
		{Title: "Warned requests", File: "warnings.csv", Rows: r.Warnings, Len: r.Warnings.Len()},
		{Title: "Refused requests that could not be evaluated (errors)", File: "errors.csv", Rows: r.Errors, Len: r.Errors.Len()},
	}
}

// exceptionUseRow is one use with the exception it belongs to.
type exceptionUseRow struct {
	ID  string
	Use ExceptionUse
}

func (r *Report) exceptionUses() []exceptionUseRow {
	var out []exceptionUseRow
	for _, x := range r.Exceptions {
		for _, u := range x.Uses {
			out = append(out, exceptionUseRow{ID: x.ID, Use: u})
		}
	}
	return out
}

// WriteHTML writes the report as one self-contained HTML page: inline CSS and SVG charts, no
// script, nothing fetched over the network.
func WriteHTML(w io.Writer, r *Report, maxRows int) error {
	pops, err := r.populations(maxRows)
	if err != nil {
		return err
	}
	return htmlReport.Execute(w, map[string]any{
		"R":             r,
		"Daily":         dailyChart(r),
		"Top":           topPoliciesChart(r, 10),
		"Populations":   pops,
		"ExceptionUses": r.exceptionUses(),
	})
}

// WriteJSON writes the whole report as indented JSON, every row of the populations streamed
// from their spools: the same bytes as json.Encoder with a two-space indent writes of r.
func WriteJSON(w io.Writer, r *Report) error {
	head, err := json.MarshalIndent(r.Summary, "", "  ")
	if err != nil {
		return err
	}
	// The fields of Report after the populations.
	tail, err := json.MarshalIndent(struct {
		MirrorLosses []MirrorLossEvent `json:"mirrorLosses"`
	}{r.MirrorLosses}, "", "  ")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(bytes.TrimSuffix(head, []byte("\n}"))) //nolint:errcheck // bufio keeps the first error for Flush
	for _, f := range []struct {
		name string
		p    *Population
	}{{"denials", r.Denials}, {"warnings", r.Warnings}, {"errors", r.Errors}} {
		fmt.Fprintf(bw, ",\n  %q: ", f.name)
		if err := f.p.writeJSON(bw); err != nil {
			return err
		}
	}
	bw.WriteString(",")  //nolint:errcheck // bufio keeps the first error for Flush
	bw.Write(tail[1:])   //nolint:errcheck // the fields without the opening brace
	bw.WriteString("\n") //nolint:errcheck
	return bw.Flush()
}

// WriteMarkdown writes the report as Markdown tables.
func WriteMarkdown(w io.Writer, r *Report, maxRows int) error {
	var b strings.Builder
	status := "intact"
	if !r.Verification.Intact() {
		status = "BROKEN"
	}
	fmt.Fprintf(&b, "# govhook evidence report\n\nPeriod %s; records from %s to %s; generated %s.\n\nSources: %s\n\n",
		periodText(r.Period), ts(r.Period.First), ts(r.Period.Last), ts(r.GeneratedAt), strings.Join(r.Sources, ", "))
	fmt.Fprintf(&b, "Verification: **%s**. Requests: %d (allowed %d, warned %d, denied %d, errors %d; exempt %d, dry run %d).\n",
		status, r.Totals.Requests, r.Totals.Decisions["allow"], r.Totals.Decisions["warn"], r.Totals.Decisions["deny"],
		r.Totals.Decisions["error"], r.Totals.Exempt, r.Totals.DryRun)

	section(&b, "Checks", []string{"check", "result", "findings"}, len(r.Checks), func(i int) []string {
		c := r.Checks[i]
		return []string{c.Name, passFail(c.Passed), strings.Join(c.Findings, "<br>")}
	})
	section(&b, "Verification", []string{"replica", "directory", "segments", "records", "seq", "from", "to", "after last checkpoint", "signing keys", "anchor", "breaks"}, len(r.Verification.Chains), func(i int) []string {
		c := r.Verification.Chains[i]
		return []string{c.Replica, c.Dir, itoa(c.Segments), itoa(c.Records), fmt.Sprintf("%d-%d", c.FirstSeq, c.LastSeq), ts(c.From), ts(c.To), fmt.Sprint(c.SinceCheckpoint), keysText(c), anchorText(r.Verification, c), itoa(c.Breaks)}
	})
	gaps := r.heartbeatGaps()
	section(&b, "Heartbeat gaps (writer outages)", []string{"replica", "no checkpoint from", "to", "for"}, len(gaps), func(i int) []string {
		return []string{gaps[i].Replica, ts(gaps[i].From), ts(gaps[i].To), gaps[i].Duration}
	})
	if rc := r.Reconciliation; rc != nil {
		fmt.Fprintf(&b, "\n## Completeness against the apiserver\n\n%d decision ids in the audit log (%s to %s): %d with an evidence record, %d missing; %d records in that time with no apiserver event.\n",
			rc.Decisions, ts(rc.From), ts(rc.To), rc.Decisions-len(rc.Missing), len(rc.Missing), len(rc.Unmatched))
		section(&b, "Admissions with no evidence record", []string{"decision id", "time", "verb", "resource", "object", "user", "audit event"}, len(rc.Missing), func(i int) []string {
			m := rc.Missing[i]
			return []string{m.DecisionID, ts(m.Time), m.Verb, m.Resource, m.Namespace + "/" + m.Name, m.User, m.AuditID}
		})
		section(&b, "Records with no apiserver event", []string{"decision id", "time", "operation", "kind", "object", "user", "record"}, len(rc.Unmatched), func(i int) []string {
			u := rc.Unmatched[i]
			return []string{u.DecisionID, ts(u.Time), u.Operation, u.Kind, u.Namespace + "/" + u.Name, u.User, u.Source}
		})
	}
	section(&b, "Policies and configuration in force", []string{"policy bundle", "config", "config file", "from", "to", "records", "replicas"}, len(r.Configurations), func(i int) []string {
		c := r.Configurations[i]
		source := c.ConfigSource
		if source == "" {
			source = "not given (--config)"
		}
		return []string{c.PolicyDigest, c.ConfigDigest, source, ts(c.From), ts(c.To), itoa(c.Records), strings.Join(c.Replicas, ", ")}
	})
	section(&b, "Policy reviews and changes: reviews in force", []string{"reviewed at", "reviewed by", "policies", "ticket", "notes", "config file"}, len(r.Reviews), func(i int) []string {
		v := r.Reviews[i]
		return []string{v.ReviewedAt, v.ReviewedBy, strings.Join(v.Policies, ", "), v.Ticket, v.Notes, v.ConfigSource}
	})
	section(&b, "Policy reviews and changes: every change of policy bundle or config", []string{"time", "replica", "what", "from", "to", "config file", "record"}, len(r.Changes), func(i int) []string {
		c := r.Changes[i]
		return []string{ts(c.Time), c.Replica, c.What, c.From, c.To, c.ToSource, c.Record}
	})
	section(&b, "Policies", []string{"policy", "title", "severity", "controls", "default action", "action in force", "violations", "deny", "warn", "audit", "waived"}, len(r.Policies), func(i int) []string {
		p := r.Policies[i]
		var rules []string
		for _, f := range p.InForce {
			rules = append(rules, fmt.Sprintf("%s (%s)", f.Rule, f.ConfigSource))
		}
		return []string{p.ID, p.Title, p.Severity, strings.Join(p.Controls, ", "), p.DefaultAction, strings.Join(rules, "<br>"),
			itoa(p.Violations), itoa(p.Actions["deny"]), itoa(p.Actions["warn"]), itoa(p.Actions["audit"]), itoa(p.Waived)}
	})
	section(&b, "Totals by SOC 2 control", []string{"control", "policies", "requests denied", "warned", "audited", "waivers"}, len(r.Totals.Controls), func(i int) []string {
		c := r.Totals.Controls[i]
		return []string{c.Control, strings.Join(c.Policies, ", "), itoa(c.Denied), itoa(c.Warned), itoa(c.Audited), itoa(c.Waived)}
	})
	section(&b, "Totals by namespace", []string{"namespace", "requests", "allowed", "warned", "denied", "errors"}, len(r.Totals.Namespaces), func(i int) []string {
		n := r.Totals.Namespaces[i]
		ns := n.Namespace
		if ns == "" {
			ns = "(cluster-scoped)"
		}
		return []string{ns, itoa(n.Requests), itoa(n.Allowed), itoa(n.Warned), itoa(n.Denied), itoa(n.Errors)}
	})
	section(&b, "Exception register", []string{"exception", "policies", "requested by", "approved by", "expires", "uses"}, len(r.Exceptions), func(i int) []string {
		x := r.Exceptions[i]
		return []string{x.ID, strings.Join(x.Policies, ", "), x.RequestedBy, x.ApprovedBy, x.Expires, itoa(len(x.Uses))}
	})
	uses := r.exceptionUses()
	section(&b, "Exception uses", []string{"time", "exception", "policy", "object", "user", "expired", "record"}, len(uses), func(i int) []string {
		u := uses[i]
		return []string{ts(u.Use.Time), u.ID, u.Use.Policy, u.Use.Kind + " " + u.Use.Namespace + "/" + u.Use.Name, u.Use.User, yesNo(u.Use.Expired), u.Use.Source}
	})
	section(&b, "Gaps", []string{"replica", "from", "to", "silence"}, len(r.Gaps), func(i int) []string {
		g := r.Gaps[i]
		who := g.Replica
		if who == "" {
			who = "all replicas"
		}
		return []string{who, ts(g.From), ts(g.To), g.Duration}
	})
	section(&b, "Recoveries", []string{"time", "replica", "torn bytes moved to", "reason", "records lost", "error", "record"}, len(r.Recoveries), func(i int) []string {
		e := r.Recoveries[i]
		return []string{ts(e.Time), e.Replica, fmt.Sprintf("%s (%d bytes)", e.Recovery.Quarantine, e.Recovery.QuarantineBytes), e.Recovery.Reason, fmt.Sprint(e.Recovery.Lost), e.Recovery.Error, e.Source}
	})
	section(&b, "Stdout mirror gaps", []string{"time", "replica", "records dropped", "seq", "other lines", "reason", "record"}, len(r.MirrorLosses), func(i int) []string {
		e := r.MirrorLosses[i]
		return []string{ts(e.Time), e.Replica, fmt.Sprint(e.Loss.Records), fmt.Sprintf("%d-%d", e.Loss.FromSeq, e.Loss.ToSeq), fmt.Sprint(e.Loss.Other), e.Loss.Reason, e.Source}
	})
	pops, err := r.populations(maxRows)
	if err != nil {
		return err
	}
	for _, p := range pops {
		section(&b, fmt.Sprintf("%s (%d)", p.Title, p.Len), []string{"time", "decision id", "operation", "object", "user", "dry run", "policies", "messages", "record"}, len(p.Shown), func(i int) []string {
			d := p.Shown[i]
			msgs := strings.Join(d.Messages, "<br>")
			if d.Error != "" {
				msgs = strings.TrimPrefix(msgs+"<br>"+d.Error, "<br>")
			}
			return []string{ts(d.Time), d.ID, d.Operation, d.Kind + " " + d.Namespace + "/" + d.Name, d.User, yesNo(d.DryRun), strings.Join(d.Policies, ", "), msgs, d.Source}
		})
		if p.More > 0 {
			fmt.Fprintf(&b, "%d more rows: the whole population is in the CSV export (--csv-dir) and the JSON report.\n", p.More)
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// section writes a Markdown heading and table, or "None." for no rows.
func section(b *strings.Builder, title string, header []string, n int, row func(int) []string) {
	fmt.Fprintf(b, "\n## %s\n\n", title)
	if n == 0 {
		b.WriteString("None.\n")
		return
	}
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|" + strings.Repeat("---|", len(header)) + "\n")
	for i := range n {
		cells := row(i)
		for j, c := range cells {
			cells[j] = mdCell(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}

var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ")

func mdCell(s string) string { return mdEscaper.Replace(s) }

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "**FAIL**"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func itoa(n int) string { return strconv.Itoa(n) }

// WriteCSV writes the populations (denials.csv, warnings.csv, errors.csv) and the exception
// uses (exceptions.csv) into dir, every row of the period. It returns the files written.
func WriteCSV(dir string, r *Report) ([]string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	var files []string
	for _, p := range r.populationFiles() {
		path := filepath.Join(dir, p.File)
		err := writeCSVFile(path, func(cw *csv.Writer) error {
			if err := cw.Write([]string{"time", "replica", "seq", "decision_id", "uid", "operation", "kind", "namespace", "name", "user", "dry_run", "decision", "policies", "controls", "messages", "error", "source"}); err != nil {
				return err
			}
			for d, err := range p.Rows.All() {
				if err != nil {
					return err
				}
				if err := cw.Write([]string{ts(d.Time), d.Replica, strconv.FormatUint(d.Seq, 10), d.ID, d.UID, d.Operation, d.Kind, d.Namespace, d.Name, d.User,
					strconv.FormatBool(d.DryRun), d.Decision, strings.Join(d.Policies, " "), strings.Join(d.Controls, " "), strings.Join(d.Messages, "\n"), d.Error, d.Source}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return files, err
		}
		files = append(files, path)
	}
	path := filepath.Join(dir, "exceptions.csv")
	err := writeCSVFile(path, func(cw *csv.Writer) error {
		if err := cw.Write([]string{"exception", "policy", "requested_by", "approved_by", "expires", "time", "decision_id", "replica", "seq", "kind", "namespace", "name", "user", "expired", "source"}); err != nil {
			return err
		}
		for _, x := range r.Exceptions {
			for _, u := range x.Uses {
				if err := cw.Write([]string{x.ID, u.Policy, x.RequestedBy, x.ApprovedBy, x.Expires, ts(u.Time), u.RecordID, u.Replica, strconv.FormatUint(u.Seq, 10),
					u.Kind, u.Namespace, u.Name, u.User, strconv.FormatBool(u.Expired), u.Source}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return files, err
	}
	return append(files, path), nil
}

// writeCSVFile creates path and writes its rows with write.
func writeCSVFile(path string, write func(*csv.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	err = write(cw)
	cw.Flush()
	return errors.Join(err, cw.Error(), f.Close())
}

// Formats lists the formats Write accepts.
var Formats = []string{"html", "md", "json"}

// Write renders the report in format (one of Formats), population tables cut at maxRows in
// html and md.
func Write(w io.Writer, format string, r *Report, maxRows int) error {
	switch format {
	case "html":
		return WriteHTML(w, r, maxRows)
	case "md":
		return WriteMarkdown(w, r, maxRows)
	case "json":
		return WriteJSON(w, r)
	}
	return fmt.Errorf("report format %q is not one of %s", format, strings.Join(Formats, ", "))
}
