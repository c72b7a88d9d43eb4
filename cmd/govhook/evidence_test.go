package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/internal/testsupport"
)

// writeEvidence writes a small closed chain for replica r1 under dir: an allowed and a denied
// request on 2026-03-02, then the closing checkpoint.
func writeEvidence(t *testing.T, dir string) { writeSignedEvidence(t, dir, nil) }

// writeSignedEvidence is writeEvidence with checkpoints signed by s.
func writeSignedEvidence(t *testing.T, dir string, s *evidence.Signer, anchors ...evidence.AnchorSink) {
	t.Helper()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w, err := evidence.Open(t.Context(), evidence.Options{Dir: dir, Replica: "r1", CheckpointInterval: -1, Now: func() time.Time { return now }, Signer: s, Anchors: anchors})
	if err != nil {
		t.Fatal(err)
	}
	digest := config.Default().Digest()
	for _, r := range []evidence.Record{
		{ID: "d1", UID: "u1", Operation: "CREATE", Kind: "v1/Pod", Namespace: "shop", Name: "ok", Decision: decision.OutcomeAllow},
		{ID: "d2", UID: "u2", Operation: "CREATE", Kind: "v1/Pod", Namespace: "shop", Name: "priv", Decision: decision.OutcomeDeny,
			Violations: []decision.Finding{{Policy: "POD-001", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Action: "deny", Message: `container "app" must not set securityContext.privileged=true`}}},
	} {
		r.Time, r.ConfigDigest = now, digest
		if err := w.Record(t.Context(), &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// cliCase is one govhook command line and what it must print and exit with.
type cliCase struct {
	name     string
	args     []string
	wantCode int
	wantOut  string
	wantErr  string
}

func runCLICases(t *testing.T, tests []cliCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := govhook(t, "", tc.args...)
			if code != tc.wantCode || !strings.Contains(out, tc.wantOut) || !strings.Contains(errOut, tc.wantErr) {
				t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout containing %q, stderr containing %q", code, out, errOut, tc.wantCode, tc.wantOut, tc.wantErr)
			}
		})
	}
}

func TestEvidenceVerifyCommand(t *testing.T) {
	intact := t.TempDir()
	writeEvidence(t, intact)
	tampered := t.TempDir()
	writeEvidence(t, tampered)
	segment := filepath.Join(tampered, "r1", "00000000000000000001.jsonl")
	data, _ := os.ReadFile(segment)
	if err := os.WriteFile(segment, []byte(strings.Replace(string(data), `"decision":"deny"`, `"decision":"allow"`, 1)), 0o640); err != nil {
		t.Fatal(err)
	}
	tests := []cliCase{
		{"intact", []string{"evidence", "verify", intact}, 0,
			"r1 (" + filepath.Join(intact, "r1") + "): 4 records in 1 segments, seq 1-4, 2026-03-02T09:00:00Z to 2026-03-02T09:00:00Z, 0 after the last checkpoint, unsigned: intact\nsignatures not checked: no --public-key given\nanchors not checked: no --anchors or archive given\nevidence intact: 1 chains, 4 records\n", ""},
		{"tampered", []string{"evidence", "verify", tampered}, 1,
			segment + ":3: hash does not match the record's content (altered after it was written)\n", ""},
		{"json", []string{"evidence", "verify", "-o", "json", intact}, 0, `"breaks": []`, ""},
		{"no path", []string{"evidence", "verify"}, 2, "", "requires at least 1 arg"},
		{"missing path", []string{"evidence", "verify", filepath.Join(intact, "nope")}, 2, "", "no such file or directory"},
		{"empty directory", []string{"evidence", "verify", t.TempDir()}, 2, "", "no evidence segments found"},
		{"bad format", []string{"evidence", "verify", "-o", "xml", intact}, 2, "", `output format "xml" is not one of text, json`},
		{"no subcommand", []string{"evidence"}, 2, "", "evidence needs a subcommand: keygen, verify, reconcile or report"},
	}
	runCLICases(t, tests)
}

func TestEvidenceKeygenAndSignedVerify(t *testing.T) {
	keys, other := filepath.Join(t.TempDir(), "keys"), filepath.Join(t.TempDir(), "other")
	out, errOut, code := govhook(t, "", "evidence", "keygen", "--out", keys)
	if code != 0 || !strings.Contains(out, "private key "+filepath.Join(keys, "signing.key")) {
		t.Fatalf("keygen: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, errOut, code := govhook(t, "", "evidence", "keygen", "--out", other); code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, errOut)
	}
	signer, err := evidence.LoadSigner(filepath.Join(keys, "signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	anchorLog := filepath.Join(t.TempDir(), "serve-stdout.log")
	logFile, err := os.Create(anchorLog)
	if err != nil {
		t.Fatal(err)
	}
	writeSignedEvidence(t, dir, signer, evidence.NewLineAnchors(logFile))
	logFile.Close()
	cut := t.TempDir()
	if err := os.CopyFS(cut, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	segment := filepath.Join(cut, "r1", "00000000000000000001.jsonl")
	data, _ := os.ReadFile(segment)
	writeFile(t, segment, string(data[:strings.LastIndex(strings.TrimSuffix(string(data), "\n"), "\n")+1])) // the closing checkpoint cut off
	gapped := t.TempDir()                                                                                   // the writer stopped at 09:00 and started again at 11:00
	writeEvidence(t, gapped)
	w, err := evidence.Open(t.Context(), evidence.Options{Dir: gapped, Replica: "r1", CheckpointInterval: -1, Now: func() time.Time { return time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	unchecked := t.TempDir() // the writer started while the archive's anchors could not be read
	w, err = evidence.Open(t.Context(), evidence.Options{Dir: unchecked, Replica: "r1", CheckpointInterval: -1,
		Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }, AnchorSource: unreadableAnchors{}})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	pub, otherPub := filepath.Join(keys, "signing.pub"), filepath.Join(other, "signing.pub")
	tests := []cliCase{
		{"pinned key", []string{"evidence", "verify", "--public-key", pub, dir}, 0,
			"0 after the last checkpoint, signed by " + signer.KeyID() + ": intact\nanchors not checked: no --anchors or archive given\nevidence intact: 1 chains, 4 records\n", ""},
		{"anchors", []string{"evidence", "verify", "--public-key", pub, "--anchors", anchorLog, dir}, 0,
			"0 after the last checkpoint, signed by " + signer.KeyID() + ", 0 past the newest anchor (seq 4, 2026-03-02T09:00:00Z): intact\nevidence intact: 1 chains, 4 records\n", ""},
		{"tail cut below the anchor", []string{"evidence", "verify", "--public-key", pub, "--anchors", anchorLog, cut}, 1,
			"the chain ends at seq 3, but the newest anchor names seq 4 (2026-03-02T09:00:00Z): record 4 is missing at the end (tail cut or newest segment deleted)\n", ""},
		{"heartbeat gaps", []string{"evidence", "verify", "--checkpoint-interval", "1s", "--missed-checkpoints", "1", gapped}, 0,
			"r1: heartbeat gap: no checkpoint from 2026-03-02T09:00:00Z to 2026-03-02T11:00:00Z (2h0m0s): the writer was not running\n", ""},
		{"unchecked start", []string{"evidence", "verify", unchecked}, 0,
			"r1: the writer started at seq 1 (2026-03-02T09:00:00Z) without checking the chain against the newest anchor: evidence anchors unavailable: connection refused\n", ""},
		{"anchors file without anchors", []string{"evidence", "verify", "--anchors", segment, dir}, 2, "", "holds no anchor line"},
		{"both keys of a rotation", []string{"evidence", "verify", "--public-key", otherPub, "--public-key", pub, dir}, 0, "evidence intact", ""},
		{"another key", []string{"evidence", "verify", "--public-key", otherPub, dir}, 1,
			":4: checkpoint is signed by key " + signer.KeyID() + ", which is not one of the given public keys\n", ""},
		{"private key as public key", []string{"evidence", "verify", "--public-key", filepath.Join(keys, "signing.key"), dir}, 2, "", `holds no PEM block of type "PUBLIC KEY"`},
		{"keygen without --out", []string{"evidence", "keygen"}, 2, "", "keygen needs --out DIR"},
		{"keygen over existing keys", []string{"evidence", "keygen", "--out", keys}, 2, "", "file exists"},
	}
	runCLICases(t, tests)
}

func TestEvidenceReportCommand(t *testing.T) {
	dir := t.TempDir()
	writeEvidence(t, dir)
	csvDir := filepath.Join(t.TempDir(), "csv")
	out, errOut, code := govhook(t, "", "evidence", "report", dir, "-o", "md", "--from", "2026-03-02", "--to", "2026-03-02", "--csv-dir", csvDir)
	// The records name the built-in default config, whose actions the report knows without --config.
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Period 2026-03-02T00:00:00Z to 2026-03-03T00:00:00Z",
		"Verification: **intact**. Requests: 2 (allowed 1, warned 0, denied 1, errors 0; exempt 0, dry run 0).",
		"## Denied requests (1)",
		`[POD-001] container "app" must not set securityContext.privileged=true (deny)`,
		"| POD-001 | Privileged containers | critical | CC6.1, CC6.8 | deny | deny (built-in default) | 1 | 1 | 0 | 0 | 0 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	denials, err := os.ReadFile(filepath.Join(csvDir, "denials.csv"))
	if err != nil || !strings.Contains(string(denials), "d2,u2,CREATE,v1/Pod,shop,priv") {
		t.Errorf("denials.csv = %q, %v", denials, err)
	}

	page := filepath.Join(t.TempDir(), "report.html")
	if _, errOut, code := govhook(t, "", "evidence", "report", dir, "--out", page); code != 0 {
		t.Fatalf("html report: exit %d: %s", code, errOut)
	}
	if html, _ := os.ReadFile(page); !strings.Contains(string(html), `id="chart-daily"><svg`) {
		t.Errorf("html report has no daily chart")
	}

	segment := filepath.Join(dir, "r1", "00000000000000000001.jsonl")
	data, _ := os.ReadFile(segment)
	writeFile(t, segment, strings.Replace(string(data), `"name":"priv"`, `"name":"fine"`, 1))
	out, errOut, code = govhook(t, "", "evidence", "report", dir, "-o", "json")
	if code != 1 || !strings.Contains(out, `"breaks": 1`) || !strings.Contains(errOut, "evidence is BROKEN: 1 breaks") {
		t.Errorf("report of tampered evidence: exit %d, stderr %q; want the report, exit 1 and a warning", code, errOut)
	}

	for _, args := range [][]string{
		{"evidence", "report", dir, "--from", "yesterday"},
		{"evidence", "report", dir, "--from", "2026-03-03", "--to", "2026-03-01"},
		{"evidence", "report", dir, "-o", "pdf"},
		{"evidence", "report", dir, "--config", filepath.Join(dir, "missing.yaml")},
		{"evidence", "report"},
	} {
		if _, errOut, code := govhook(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errOut)
		}
	}
}

// checkMirror waits until the stdout mirror holds exactly the segment's lines, besides one
// anchor line for each checkpoint.
func checkMirror(t *testing.T, mirror *testsupport.Buffer, segment string) {
	t.Helper()
	want, err := os.ReadFile(segment)
	if err != nil {
		t.Fatal(err)
	}
	split := func() (records, anchors string) {
		for _, line := range strings.SplitAfter(mirror.String(), "\n") {
			if strings.Contains(line, `"schema":"`+evidence.AnchorSchema+`"`) {
				anchors += line
			} else {
				records += line
			}
		}
		return records, anchors
	}
	for i := 0; i < 200; i++ {
		if records, _ := split(); records == string(want) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	records, anchors := split()
	if records != string(want) {
		t.Errorf("stdout mirror differs from the segment:\nsegment:\n%s\nstdout:\n%s", want, records)
	}
	if n, m := strings.Count(anchors, "\n"), strings.Count(string(want), `"type":"checkpoint"`); n != m {
		t.Errorf("stdout has %d anchor lines for %d checkpoints:\n%s", n, m, anchors)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestEvidenceReconcileCommand(t *testing.T) {
	dir := t.TempDir()
	anchorLog := filepath.Join(t.TempDir(), "stdout.log")
	logFile, err := os.Create(anchorLog)
	if err != nil {
		t.Fatal(err)
	}
	writeSignedEvidence(t, dir, nil, evidence.NewLineAnchors(logFile)) // records d1 and d2 at 09:00
	logFile.Close()
	event := func(stage, id, name string) string {
		ann := ""
		if id != "" {
			ann = `,"annotations":{"validate.govhook.io/decision-id":"` + id + `","validate.govhook.io/policies":""}`
		}
		return `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a-` + name + `","stage":"` + stage +
			`","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"shop","name":"` + name +
			`"},"requestReceivedTimestamp":"2026-03-02T08:59:59Z","stageTimestamp":"2026-03-02T09:00:01Z"` + ann + "}\n"
	}
	complete := filepath.Join(t.TempDir(), "audit.log")
	writeFile(t, complete, event("RequestReceived", "", "ok")+event("ResponseComplete", "d1", "ok")+
		// as a CloudWatch export shows it: a timestamp before the event
		"2026-03-02T09:00:01.000Z "+event("ResponseComplete", "d2", "priv"))
	gapped := filepath.Join(t.TempDir(), "audit.log")
	writeFile(t, gapped, event("ResponseComplete", "d1", "ok")+event("ResponseComplete", "d9", "ghost"))
	tests := []cliCase{
		{"every decision has a record", []string{"evidence", "reconcile", "--audit-log", complete, dir}, 0,
			"2 decision ids in the audit log (2026-03-02T08:59:59Z to 2026-03-02T09:00:01Z): 2 with an evidence record, 0 missing; 0 records in that time with no apiserver event\n", ""},
		{"a decision without a record", []string{"evidence", "reconcile", "--audit-log", gapped, dir}, 1,
			"missing: decision d9 (create pods shop/ghost, user alice, audit event a-ghost at 2026-03-02T08:59:59Z, " + gapped + ":2): no evidence record\n" +
				"unmatched: record d2 (CREATE v1/Pod shop/priv, user , r1 seq 3 at 2026-03-02T09:00:00Z, " + filepath.Join(dir, "r1", "00000000000000000001.jsonl") + ":3): no apiserver audit event\n" +
				"2 decision ids in the audit log (2026-03-02T08:59:59Z to 2026-03-02T09:00:01Z): 1 with an evidence record, 1 missing; 1 records in that time with no apiserver event\n", ""},
		{"json", []string{"evidence", "reconcile", "-o", "json", "--audit-log", gapped, dir}, 1, `"missing": [
    {
      "decisionId": "d9",`, ""},
		{"no audit log", []string{"evidence", "reconcile", dir}, 2, "", "reconcile needs --audit-log FILE"},
		{"in the report", []string{"evidence", "report", "-o", "md", "--audit-log", gapped, "--anchors", anchorLog, dir}, 0,
			"## Completeness against the apiserver\n\n2 decision ids in the audit log (2026-03-02T08:59:59Z to 2026-03-02T09:00:01Z): 1 with an evidence record, 1 missing; 1 records in that time with no apiserver event.\n\n" +
				"## Admissions with no evidence record\n\n| decision id | time | verb | resource | object | user | audit event |\n|---|---|---|---|---|---|---|\n| d9 | 2026-03-02T08:59:59Z | create | pods | shop/ghost | alice | a-ghost |\n", ""},
		{"anchor status in the report", []string{"evidence", "report", "-o", "md", "--anchors", anchorLog, dir}, 0,
			"| 0 | unsigned | reaches seq 4 (2026-03-02T09:00:00Z), 0 past it | 0 |", ""},
		{"not an audit log", []string{"evidence", "reconcile", "--audit-log", filepath.Join(dir, "r1", "written"), dir}, 2, "", "holds no audit event"},
	}
	runCLICases(t, tests)
}

// unreadableAnchors is an anchor source whose store does not answer.
type unreadableAnchors struct{}

func (unreadableAnchors) Latest(context.Context, string) (*evidence.Anchor, error) {
	return nil, fmt.Errorf("%w: connection refused", evidence.ErrAnchorsUnavailable)
}
