package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/internal/testsupport"
	"github.com/govhook/govhook/policies"
)

var (
	pod001 = decision.Finding{Policy: "POD-001", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Action: "deny",
		Message: `container "app" must not set securityContext.privileged=true`, Field: "spec.containers[0].securityContext.privileged"}
	own002 = decision.Finding{Policy: "OWN-002", Severity: "medium", Controls: []string{"CC1.3", "CC6.1", "CC7.3"}, Action: "warn",
		Message: `Pod "web" must carry label "owner" naming its owning team`, Field: "metadata.labels.owner"}
	own002Audit = decision.Finding{Policy: "OWN-002", Severity: "medium", Controls: []string{"CC1.3", "CC6.1", "CC7.3"}, Action: "audit",
		Message: `Pod "job" must carry label "owner" naming its owning team`, Field: "metadata.labels.owner"}
	pod001Waived = func(id string) decision.Finding {
		f := pod001
		f.Action, f.Exception = decision.ActionWaived, id
		return f
	}
	exc1 = decision.AppliedException{ID: "EXC-1", Policy: "POD-001", RequestedBy: "alice@example.com", ApprovedBy: "bob@example.com", Expires: "2026-03-03"}
	exc2 = decision.AppliedException{ID: "EXC-2", Policy: "POD-001", RequestedBy: "carol@example.com", ApprovedBy: "Carol@example.com", Expires: "2027-01-01"}
)

// step is one thing that happens while the report fixture is written.
type step struct {
	after   time.Duration // clock advance before the step
	replica string
	ns      string
	name    string
	outcome decision.Outcome
	dryRun  bool
	exempt  string
	errText string
	config  string
	finds   []decision.Finding
	excepts []decision.AppliedException
}

// writeReportFixture writes three days of decisions by two replicas (starting 2026-03-02
// 09:00 UTC, silent overnight, segments rotating daily), a config change, exception uses
// (one after expiry, one self-approved) and a torn tail recovered in r2.
func writeReportFixture(t *testing.T, dir string) {
	t.Helper()
	steps := []step{
		{replica: "r1", ns: "shop", name: "ok", outcome: "allow"},
		{after: time.Hour, replica: "r1", ns: "shop", name: "priv", outcome: "deny", finds: []decision.Finding{pod001}},
		{after: time.Hour, replica: "r2", ns: "shop", name: "web", outcome: "warn", finds: []decision.Finding{own002}},
		{after: time.Hour, replica: "r1", ns: "kube-system", name: "proxy", outcome: "allow", exempt: "namespace kube-system"},
		{after: time.Hour, replica: "r2", ns: "payments", name: "priv", outcome: "deny", dryRun: true, finds: []decision.Finding{pod001, own002}},
		// Day 2: the config changes; an exception waives POD-001 before its expiry.
		{after: 20 * time.Hour, replica: "r1", ns: "monitoring", name: "node-exporter", outcome: "allow", config: "cfg2",
			finds: []decision.Finding{pod001Waived("EXC-1")}, excepts: []decision.AppliedException{exc1}},
		{after: time.Hour, replica: "r1", ns: "shop", name: "", outcome: "error", config: "cfg2", errText: "admission review is not valid JSON"},
		{after: time.Hour, replica: "r2", ns: "", name: "cluster-admin-binding", outcome: "allow", config: "cfg2"},
		// Day 3, after a six-hour silence: the exception is used after it expired, another
		// one was approved by its requester, and an audit finding.
		{after: 23 * time.Hour, replica: "r1", ns: "monitoring", name: "node-exporter", outcome: "allow", config: "cfg2",
			finds: []decision.Finding{pod001Waived("EXC-1")}, excepts: []decision.AppliedException{exc1}},
		{after: time.Hour, replica: "r2", ns: "batch", name: "job", outcome: "allow", config: "cfg2",
			finds: []decision.Finding{pod001Waived("EXC-2"), own002Audit}, excepts: []decision.AppliedException{exc2}},
	}
	clock := testsupport.NewClock()
	writers := map[string]*evidence.Writer{}
	writer := func(replica string) *evidence.Writer {
		if w := writers[replica]; w != nil {
			return w
		}
		writers[replica] = openWriter(t, dir, clock, func(o *evidence.Options) { o.Replica = replica })
		return writers[replica]
	}
	for i, s := range steps {
		if i == 8 { // r2 stopped after day 2 with a torn write at its end, and starts again on day 3
			// (a writer lets go of its replica lock only when it stops)
			if err := writers["r2"].Close(); err != nil {
				t.Fatal(err)
			}
			appendFile(t, lastSegment(t, filepath.Join(dir, "r2")), `{"schema":"govhook.io/evid`)
			delete(writers, "r2")
		}
		clock.Add(s.after)
		cfg := config.Default().Digest()
		if s.config != "" {
			cfg = fixtureConfig(t).Digest()
		}
		r := admission(clock, s.name)
		r.Namespace, r.Decision, r.DryRun, r.Exempt, r.Error = s.ns, s.outcome, s.dryRun, s.exempt, s.errText
		r.PolicyDigest, r.ConfigDigest = "sha256:pol1", cfg
		if s.finds != nil {
			r.Violations = s.finds
		}
		if s.excepts != nil {
			r.Exceptions = s.excepts
		}
		record(t, writer(s.replica), r)
	}
}

// fixtureConfig is the config in force from day 2 of the report fixture on.
func fixtureConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte("apiVersion: govhook.io/v1alpha1\nkind: Config\nenforcement:\n  policies:\n    OWN-002: audit\n" +
		"reviews:\n  - {policies: ['*'], reviewedBy: carol@example.com, reviewedAt: 2026-01-15, ticket: GRC-7}\n" +
		"  - {policies: [POD-001], reviewedBy: dave@example.com, reviewedAt: 2024-01-02, notes: lapsed before the period}\n"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func catalog(t *testing.T) *policies.Catalog {
	t.Helper()
	c, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func buildFixtureReport(t *testing.T, o Options) (*Report, string) {
	t.Helper()
	root := t.TempDir()
	writeReportFixture(t, root)
	if o.GapThreshold == 0 {
		o.GapThreshold = 3 * time.Hour
	}
	o.Now = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	o.Catalog = catalog(t)
	o.Configs = map[string]*config.Config{"cfg2.yaml": fixtureConfig(t)}
	r, err := Build([]string{root}, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r, root
}

// rowsOf reads every row of a population.
func rowsOf(t *testing.T, p *Population) []DecisionRow {
	t.Helper()
	out := []DecisionRow{}
	for row, err := range p.All() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	return out
}

func at(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

func TestBuildReport(t *testing.T) {
	r, root := buildFixtureReport(t, Options{})
	rel := func(s string) string { return strings.ReplaceAll(s, root+"/", "") }
	d1, d2 := config.Default().Digest(), fixtureConfig(t).Digest()

	if diff := cmp.Diff(Period{First: at(2, 9), Last: at(4, 11)}, r.Period); diff != "" {
		t.Errorf("period (-want +got):\n%s", diff)
	}
	wantTotals := Totals{
		Requests:  10,
		Decisions: map[string]int{"allow": 6, "warn": 1, "deny": 2, "error": 1},
		Exempt:    1,
		DryRun:    1,
		Controls: []ControlTotal{
			{Control: "CC1.3", Policies: []string{"OWN-002"}, Warned: 2, Audited: 1},
			{Control: "CC6.1", Policies: []string{"OWN-002", "POD-001"}, Denied: 2, Warned: 2, Audited: 1, Waived: 3},
			{Control: "CC6.8", Policies: []string{"POD-001"}, Denied: 2, Waived: 3},
			{Control: "CC7.3", Policies: []string{"OWN-002"}, Warned: 2, Audited: 1},
		},
		Namespaces: []NamespaceTotal{
			{Namespace: "shop", Requests: 4, Allowed: 1, Warned: 1, Denied: 1, Errors: 1},
			{Namespace: "monitoring", Requests: 2, Allowed: 2},
			{Namespace: "", Requests: 1, Allowed: 1},
			{Namespace: "batch", Requests: 1, Allowed: 1},
			{Namespace: "kube-system", Requests: 1, Allowed: 1},
			{Namespace: "payments", Requests: 1, Denied: 1},
		},
	}
	if diff := cmp.Diff(wantTotals, r.Totals); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}

	var violated []string
	for _, p := range r.Policies {
		if p.Violations > 0 || p.Waived > 0 {
			violated = append(violated, p.ID+" "+p.Title+" violations="+itoa(p.Violations)+" deny="+itoa(p.Actions["deny"])+" warn="+itoa(p.Actions["warn"])+" audit="+itoa(p.Actions["audit"])+" waived="+itoa(p.Waived))
		}
	}
	wantPolicies := []string{
		"POD-001 Privileged containers violations=5 deny=2 warn=0 audit=0 waived=3",
		"OWN-002 Owner label on workloads and access objects violations=3 deny=0 warn=2 audit=1 waived=0",
	}
	if diff := cmp.Diff(wantPolicies, violated); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	for _, p := range r.Policies {
		if p.ID != "OWN-002" {
			continue
		}
		cp, _ := catalog(t).Get("OWN-002")
		want := []RuleInForce{
			{ConfigSource: "built-in default", ConfigDigest: d1, Rule: decision.ActionRule(cp, config.Default())},
			{ConfigSource: "cfg2.yaml", ConfigDigest: d2, Rule: "audit"},
		}
		if diff := cmp.Diff(want, p.InForce); diff != "" {
			t.Errorf("OWN-002 in force (-want +got):\n%s", diff)
		}
	}
	if len(r.Policies) < len(catalog(t).Policies) {
		t.Errorf("policies table has %d rows, want every catalog policy", len(r.Policies))
	}

	wantConfigs := []Configuration{
		{PolicyDigest: "sha256:pol1", ConfigDigest: d1, ConfigSource: "built-in default", From: at(2, 9), To: at(2, 13), Records: 5, Replicas: []string{"r1", "r2"}},
		{PolicyDigest: "sha256:pol1", ConfigDigest: d2, ConfigSource: "cfg2.yaml", From: at(3, 9), To: at(4, 11), Records: 5, Replicas: []string{"r1", "r2"}},
	}
	if diff := cmp.Diff(wantConfigs, r.Configurations); diff != "" {
		t.Errorf("configurations (-want +got):\n%s", diff)
	}

	// Each replica's first record under cfg2 is a change; the lapsed review is not in force.
	var changes, reviews []string
	for _, c := range r.Changes {
		changes = append(changes, ts(c.Time)+" "+c.Replica+" "+c.What+" "+c.ToSource+" "+rel(c.Record))
	}
	for _, v := range r.Reviews {
		reviews = append(reviews, v.ReviewedAt+" "+v.ReviewedBy+" "+strings.Join(v.Policies, ",")+" "+v.ConfigSource)
	}
	wantChanges := []string{
		ts(at(3, 9)) + " r1 config cfg2.yaml r1/00000000000000000005.jsonl:1", // each chain begins with its start record
		ts(at(3, 11)) + " r2 config cfg2.yaml r2/00000000000000000004.jsonl:1",
	}
	if diff := cmp.Diff(wantChanges, changes); diff != "" {
		t.Errorf("policy changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2026-01-15 carol@example.com * cfg2.yaml"}, reviews); diff != "" {
		t.Errorf("reviews in force (-want +got):\n%s", diff)
	}

	wantDaily := []DayCount{
		{"2026-03-02", "CC1.3", 2}, {"2026-03-02", "CC6.1", 3}, {"2026-03-02", "CC6.8", 2}, {"2026-03-02", "CC7.3", 2},
		{"2026-03-04", "CC1.3", 1}, {"2026-03-04", "CC6.1", 1}, {"2026-03-04", "CC7.3", 1},
	}
	if diff := cmp.Diff(wantDaily, r.Daily); diff != "" {
		t.Errorf("daily (-want +got):\n%s", diff)
	}

	var denials []string
	for _, d := range rowsOf(t, r.Denials) {
		denials = append(denials, d.Namespace+"/"+d.Name+" "+strings.Join(d.Policies, ",")+" dryRun="+yesNo(d.DryRun)+" "+rel(d.Source))
	}
	wantDenials := []string{
		"shop/priv POD-001 dryRun=no r1/00000000000000000001.jsonl:3",
		"payments/priv POD-001,OWN-002 dryRun=yes r2/00000000000000000001.jsonl:3",
	}
	if diff := cmp.Diff(wantDenials, denials); diff != "" {
		t.Errorf("denials (-want +got):\n%s", diff)
	}
	if warnings, errs := rowsOf(t, r.Warnings), rowsOf(t, r.Errors); len(warnings) != 1 || warnings[0].Name != "web" || len(errs) != 1 || errs[0].Error == "" {
		t.Errorf("warnings %+v errors %+v", warnings, errs)
	}

	var checks []string
	for _, c := range r.Checks {
		checks = append(checks, c.Name+": "+passFail(c.Passed))
		for _, f := range c.Findings {
			checks = append(checks, "  "+rel(f))
		}
	}
	wantChecks := []string{
		"evidence chains are intact: pass",
		"no gap in the evidence longer than 3h0m0s: **FAIL**",
		"  all replicas: no record from 2026-03-02T13:00:00Z to 2026-03-03T09:00:00Z (20h0m0s)",
		"  all replicas: no record from 2026-03-03T11:00:00Z to 2026-03-04T10:00:00Z (23h0m0s)",
		"  r1: no record from 2026-03-02T12:00:00Z to 2026-03-03T09:00:00Z (21h0m0s)",
		"  r1: no record from 2026-03-03T10:00:00Z to 2026-03-04T10:00:00Z (24h0m0s)",
		"  r2: no record from 2026-03-02T13:00:00Z to 2026-03-03T11:00:00Z (22h0m0s)",
		"  r2: no record from 2026-03-03T11:00:00Z to 2026-03-04T11:00:00Z (24h0m0s)",
		"no records lost to write failures or torn writes: **FAIL**",
		"  r2/00000000000000000006.jsonl:2: 26 torn bytes moved to 00000000000000000004.torn-" + itoa(tornOffset(t, root)) + " (last line has no trailing newline)",
		"no expired exception was used: **FAIL**",
		`  EXC-1 (expires "2026-03-03") waived POD-001 for apps/v1/Deployment monitoring/node-exporter at 2026-03-04T10:00:00Z, record r1/00000000000000000007.jsonl:1`,
		"no exception was approved by its requester: **FAIL**",
		"  EXC-2 was requested and approved by Carol@example.com",
	}
	if diff := cmp.Diff(wantChecks, checks); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if len(r.Exceptions) != 2 || len(r.Exceptions[0].Uses) != 2 || r.Exceptions[0].Uses[0].Expired || !r.Exceptions[0].Uses[1].Expired {
		t.Errorf("exception register = %+v", r.Exceptions)
	}
}

// tornOffset is where r2's torn tail began: the end of the segment it was cut from.
func tornOffset(t *testing.T, root string) int {
	t.Helper()
	info, err := os.Stat(filepath.Join(root, "r2", "00000000000000000004.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return int(info.Size())
}

func TestBuildReportPeriod(t *testing.T) {
	r, _ := buildFixtureReport(t, Options{From: at(3, 0), To: at(4, 0)})
	if r.Totals.Requests != 3 || r.Totals.Decisions["error"] != 1 || r.Denials.Len() != 0 {
		t.Errorf("totals of 2026-03-03 = %+v, denials %d", r.Totals, r.Denials.Len())
	}
	// The period's edges count as silences too, and verification still covers everything.
	var gaps []string
	for _, g := range r.Gaps {
		gaps = append(gaps, g.Replica+" "+ts(g.From)+" "+ts(g.To))
	}
	want := []string{" 2026-03-03T00:00:00Z 2026-03-03T09:00:00Z", " 2026-03-03T11:00:00Z 2026-03-04T00:00:00Z"}
	if diff := cmp.Diff(want, gaps); diff != "" {
		t.Errorf("gaps (-want +got):\n%s", diff)
	}
	if r.Verification.Chains[0].Records != 7 {
		t.Errorf("verification covers %d records of r1, want all 7 (a start record and 6 admissions)", r.Verification.Chains[0].Records)
	}
}

func TestReportRenderings(t *testing.T) {
	r, root := buildFixtureReport(t, Options{})

	var md bytes.Buffer
	if err := WriteMarkdown(&md, r, 1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Verification: **intact**. Requests: 10 (allowed 6, warned 1, denied 2, errors 1; exempt 1, dry run 1).",
		"| no expired exception was used | **FAIL** |",
		"## Denied requests (2)",
		"1 more rows: the whole population is in the CSV export",
		"| EXC-2 | POD-001 | carol@example.com | Carol@example.com | 2027-01-01 | 1 |",
		"## Policy reviews and changes: reviews in force",
		"| 2026-01-15 | carol@example.com | * | GRC-7 |  | cfg2.yaml |",
		"## Policy reviews and changes: every change of policy bundle or config",
		"| 2026-03-03T09:00:00Z | r1 | config | " + config.Default().Digest() + " | " + fixtureConfig(t).Digest() + " | cfg2.yaml |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Totals, back.Totals); diff != "" {
		t.Errorf("JSON round trip of totals (-want +got):\n%s", diff)
	}

	var page bytes.Buffer
	if err := WriteHTML(&page, r, 0); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, bad := range []string{"http://", "https://", "<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML report is not self-contained: holds %q", bad)
		}
	}
	for _, want := range []string{`<div class="chart" id="chart-daily"><svg`, `<div class="chart" id="chart-policies"><svg`, controlColors[0], actionColors["deny"], "EXC-2 was requested and approved by Carol@example.com",
		"<h2>Policy reviews and changes</h2>", "<td>2026-01-15</td><td>carol@example.com</td><td>*</td><td>GRC-7</td>"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}

	dir := filepath.Join(t.TempDir(), "csv")
	files, err := WriteCSV(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		rows[filepath.Base(f)] = len(recs) - 1
	}
	if diff := cmp.Diff(map[string]int{"denials.csv": 2, "warnings.csv": 1, "errors.csv": 1, "exceptions.csv": 3}, rows); diff != "" {
		t.Errorf("CSV rows (-want +got):\n%s", diff)
	}
	denials, _ := os.ReadFile(filepath.Join(dir, "denials.csv"))
	if !strings.Contains(string(denials), root+"/r1/00000000000000000001.jsonl:3") {
		t.Errorf("denials.csv does not point at the evidence line:\n%s", denials)
	}
}

func TestReportOfBrokenEvidenceSaysSo(t *testing.T) {
	root := t.TempDir()
	writeReportFixture(t, root)
	editLine(t, filepath.Join(root, "r1", "00000000000000000001.jsonl"), 3, func(l string) string { return strings.Replace(l, `"decision":"deny"`, `"decision":"allow"`, 1) })
	r, err := Build([]string{root}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Verification.Intact() || r.Checks[0].Passed || !strings.HasSuffix(r.Checks[0].Findings[0], "r1/00000000000000000001.jsonl:3: hash does not match the record's content (altered after it was written)") {
		t.Errorf("check = %+v", r.Checks[0])
	}
}

func TestReportExceptionExpiryBoundary(t *testing.T) {
	// A date expiry runs to the end of that day, UTC, as in the decision.
	dir, clock := t.TempDir(), testsupport.NewClock()
	w := openWriter(t, dir, clock, nil)
	x := decision.AppliedException{ID: "EXC-9", Policy: "POD-001", RequestedBy: "a@example.com", ApprovedBy: "b@example.com", Expires: "2026-03-02"}
	for _, at := range []time.Time{time.Date(2026, 3, 2, 23, 59, 59, 0, time.UTC), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)} {
		r := admission(clock, "x")
		r.Time, r.Exceptions = at, []decision.AppliedException{x}
		record(t, w, r)
	}
	rep, err := Build([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	var expired []bool
	for _, u := range rep.Exceptions[0].Uses {
		expired = append(expired, u.Expired)
	}
	if diff := cmp.Diff([]bool{false, true}, expired); diff != "" {
		t.Errorf("expired flags of uses one second before and at the end of 2026-03-02 (-want +got):\n%s", diff)
	}
}

// TestReportNamesStdoutMirrorGaps: the records a stuck stdout mirror dropped are listed, so
// the auditor who samples the shipped copy knows what it lacks.
func TestReportNamesStdoutMirrorGaps(t *testing.T) {
	root, clock := t.TempDir(), testsupport.NewClock()
	// A buffer of one byte takes no line: every one is dropped.
	w := openWriter(t, root, clock, func(o *evidence.Options) { o.Mirror, o.MirrorBytes = io.Discard, 1 })
	record(t, w, admission(clock, "a"))
	record(t, w, admission(clock, "b"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Build([]string{root}, Options{Now: clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.MirrorLosses) != 1 {
		t.Fatalf("mirror losses = %+v, want one", r.MirrorLosses)
	}
	got := r.MirrorLosses[0]
	want := evidence.MirrorLoss{Records: 3, FromSeq: 1, ToSeq: 3, Reason: "mirror buffer of 1 bytes full: its reader is slow or stuck"}
	if diff := cmp.Diff(want, got.Loss); diff != "" {
		t.Errorf("mirror loss (-want +got):\n%s", diff)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r, 10); err != nil {
		t.Fatal(err)
	}
	if row := "| r1 | 3 | 1-3 | 0 | mirror buffer of 1 bytes full"; !strings.Contains(md.String(), row) {
		t.Errorf("markdown lacks the row %q:\n%s", row, md.String())
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, r, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "<h2>Stdout mirror gaps</h2>") || !strings.Contains(page.String(), "<td class=\"mono\">1–3</td>") {
		t.Errorf("HTML report lacks the mirror gap")
	}
}
