//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
)

// readEvidence returns every admission record of every replica (not the checkpoint and
// recovery records the chains also hold).
func readEvidence(t *testing.T) []evidence.Record {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(local.EvidenceDir, "*", "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var records []evidence.Record
	for _, f := range files {
		for _, r := range readLines[evidence.Record](t, f, 0) {
			if r.Type == evidence.TypeAdmission {
				records = append(records, r)
			}
		}
	}
	return records
}

// readLines decodes the JSON lines of a file from a byte offset on.
func readLines[T any](t *testing.T, path string, offset int64) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v in line %q", path, err, sc.Text())
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// auditEvent is the part of a kube-apiserver audit event (audit.k8s.io/v1) the suite reads.
type auditEvent struct {
	AuditID   string `json:"auditID"`
	Stage     string `json:"stage"`
	Verb      string `json:"verb"`
	ObjectRef struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	Annotations map[string]string `json:"annotations"`
}

// annotation reads govhook's audit annotation key as the apiserver logs it: the name of the
// webhook that sent the request, a slash, govhook's key.
func annotation(e auditEvent, key string) string {
	for _, name := range local.WebhookNames {
		if v, ok := e.Annotations[name+"/"+key]; ok {
			return v
		}
	}
	return ""
}

func auditLogSize(t *testing.T) int64 {
	t.Helper()
	fi, err := os.Stat(local.AuditLog)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// decidedEvents returns the completed audit events from offset on that carry a govhook
// decision id, i.e. the requests govhook answered.
func decidedEvents(t *testing.T, offset int64) []auditEvent {
	t.Helper()
	var out []auditEvent
	for _, e := range readLines[auditEvent](t, local.AuditLog, offset) {
		if e.Stage == "ResponseComplete" && annotation(e, "decision-id") != "" {
			out = append(out, e)
		}
	}
	return out
}

// decided is the part of an evidence record a scenario pins down.
type decided struct {
	Operation   string
	Kind        string
	Resource    string
	SubResource string
	Namespace   string
	Name        string
	User        string
	DryRun      bool
	Decision    decision.Outcome
	Policies    []string
}

func decidedOf(r evidence.Record) decided {
	d := decided{
		Operation: r.Operation, Kind: r.Kind, Resource: r.Resource, SubResource: r.SubResource,
		Namespace: r.Namespace, Name: r.Name, User: r.User.Username, DryRun: r.DryRun, Decision: r.Decision,
	}
	for _, v := range r.Violations {
		d.Policies = append(d.Policies, v.Policy)
	}
	return d
}

// checkAuditorView checks that a request left exactly the evidence want describes (nil: none,
// govhook never saw it), and that the apiserver's audit log ties the request to that record.
func checkAuditorView(t *testing.T, o observed, want *decided) {
	t.Helper()
	if want == nil {
		if len(o.records) != 0 || len(o.audit) != 0 {
			t.Errorf("govhook should not have seen this request; got %d evidence records and %d audit events with a decision id", len(o.records), len(o.audit))
		}
		return
	}
	if len(o.records) != 1 || len(o.audit) != 1 {
		t.Fatalf("want exactly one evidence record and one audit event with a decision id; got %d records %+v and %d events %+v", len(o.records), o.records, len(o.audit), o.audit)
	}
	rec, ev := o.records[0], o.audit[0]
	if diff := cmp.Diff(*want, decidedOf(rec)); diff != "" {
		t.Errorf("evidence record (-want +got):\n%s", diff)
	}
	sameUID := 0
	for _, r := range readEvidence(t) {
		if r.UID == rec.UID {
			sameUID++
		}
	}
	if rec.UID == "" || sameUID != 1 {
		t.Errorf("request uid %q appears in %d evidence records, want exactly 1", rec.UID, sameUID)
	}
	policies := slices.Compact(slices.Sorted(slices.Values(want.Policies))) // each id once
	wantEvent := map[string]string{
		"decision-id": rec.ID, "policies": strings.Join(policies, ","),
		"namespace": want.Namespace, "name": want.Name, "subresource": want.SubResource,
		"denied": strconv.FormatBool(want.Decision == decision.OutcomeDeny),
	}
	gotEvent := map[string]string{
		"decision-id": annotation(ev, "decision-id"), "policies": annotation(ev, "policies"),
		"namespace": ev.ObjectRef.Namespace, "name": ev.ObjectRef.Name, "subresource": ev.ObjectRef.Subresource,
		"denied": strconv.FormatBool(ev.ResponseStatus.Code == http.StatusForbidden),
	}
	if want.Kind == "v1/Namespace" { // a namespace's own request is not namespaced in the audit log
		wantEvent["namespace"] = ""
	}
	if diff := cmp.Diff(wantEvent, gotEvent); diff != "" {
		t.Errorf("apiserver audit event %s against the evidence record (-want +got):\n%s", ev.AuditID, diff)
	}
}

// evidenceCounters are the counters that every evidence record feeds; the others (config
// reloads, expired exceptions, ...) have no evidence record to be checked against.
var evidenceCounters = map[string]bool{
	"govhook_admission_requests_total":    true,
	"govhook_policy_violations_total":     true,
	"govhook_evidence_records_total":      true,
	"govhook_evidence_write_errors_total": true,
}

// scrape reads govhook's evidence-backed counters from /metrics.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	samples := make(map[string]float64)
	for name, fam := range families {
		if !evidenceCounters[name] {
			continue
		}
		for _, m := range fam.GetMetric() {
			labels := make([]string, 0, len(m.GetLabel()))
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			slices.Sort(labels)
			samples[name+"{"+strings.Join(labels, ",")+"}"] += m.GetCounter().GetValue()
		}
	}
	return samples
}

// countersFromEvidence derives the counters govhook should export from its evidence records.
func countersFromEvidence(records []evidence.Record) map[string]float64 {
	want := map[string]float64{
		"govhook_evidence_records_total{}":      float64(len(records)),
		"govhook_evidence_write_errors_total{}": 0,
	}
	for _, r := range records {
		kind := r.Kind[strings.LastIndex(r.Kind, "/")+1:]
		want["govhook_admission_requests_total{decision="+string(r.Decision)+",dry_run="+strconv.FormatBool(r.DryRun)+",kind="+kind+",operation="+r.Operation+"}"]++
		for _, v := range r.Violations {
			want["govhook_policy_violations_total{action="+v.Action+",policy="+v.Policy+",severity="+v.Severity+"}"]++
		}
	}
	return want
}
