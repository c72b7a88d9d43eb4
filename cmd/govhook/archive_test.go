package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/test/s3store"
)

// archiveURL is where the tests' serve processes archive evidence.
const archiveURL = "s3://evidence/govhook"

// archiveFixture is a store with a locked bucket, a config that archives into it, and an
// evidence directory that outlives the serve processes of one test.
type archiveFixture struct {
	t           *testing.T
	store       *s3store.Store
	config      string
	evidenceDir string
}

func newArchiveFixture(t *testing.T, segmentAge string, maxLocalBytes int64) *archiveFixture {
	t.Helper()
	store := s3store.Start(t)
	store.CreateLockedBucket(t, "evidence")
	store.SetEnv(t) // credentials for the serve and verify processes, as the SDK's chain finds them
	dir := t.TempDir()
	f := &archiveFixture{t: t, store: store, config: filepath.Join(dir, "config.yaml"), evidenceDir: filepath.Join(dir, "evidence")}
	writeFile(t, f.config, fmt.Sprintf(`apiVersion: govhook.io/v1alpha1
kind: Config
evidence:
  segmentAge: %s
  archive: {url: %s, endpoint: %s, region: %s, maxLocalBytes: %d}
`, segmentAge, archiveURL, store.Endpoint, s3store.Region, maxLocalBytes))
	return f
}

func (f *archiveFixture) serve(env ...string) (*servedWebhook, func(syscall.Signal)) {
	f.t.Helper()
	s, cmd := launchServe(f.t, f.evidenceDir, env, "--config", f.config, "--log-level", "debug")
	return s, func(sig syscall.Signal) {
		f.t.Helper()
		if err := cmd.Process.Signal(sig); err != nil {
			f.t.Fatal(err)
		}
		select {
		case <-s.exited:
		case <-time.After(60 * time.Second):
			f.t.Fatalf("serve did not exit after %v; logs:\n%s", sig, s.logs)
		}
	}
}

// verify runs `govhook evidence verify --config F -o json` on paths (the archive by default).
func (f *archiveFixture) verify(paths ...string) (*evidence.Verification, int) {
	f.t.Helper()
	if len(paths) == 0 {
		paths = []string{archiveURL}
	}
	out, errOut, code := govhook(f.t, "", append([]string{"evidence", "verify", "--config", f.config, "-o", "json"}, paths...)...)
	if code == 2 { // nothing to verify yet, or the store unreachable
		f.t.Logf("verify %v: exit 2: %s", paths, errOut)
		return &evidence.Verification{Breaks: []evidence.Break{{Message: errOut}}}, code
	}
	var v evidence.Verification
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		f.t.Fatalf("verify output: %v\n%s", err, out)
	}
	return &v, code
}

// admissions counts the admission records of a verification.
func admissions(v *evidence.Verification) int {
	n := 0
	for _, c := range v.Chains {
		n += c.Admissions
	}
	return n
}

// localRecords counts the records left in the local segments of replica r1.
func (f *archiveFixture) localRecords() int {
	f.t.Helper()
	segments, _ := filepath.Glob(filepath.Join(f.evidenceDir, "r1", "*.jsonl"))
	n := 0
	for _, s := range segments {
		data, err := os.ReadFile(s)
		if err != nil {
			f.t.Fatal(err)
		}
		n += strings.Count(string(data), "\n")
	}
	return n
}

// versions lists the archive's object versions by key.
func (f *archiveFixture) versions() map[string]int {
	f.t.Helper()
	out, err := f.store.Client().ListObjectVersions(f.t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String("evidence")})
	if err != nil {
		f.t.Fatal(err)
	}
	keys := map[string]int{}
	for _, v := range out.Versions {
		keys[aws.ToString(v.Key)]++
	}
	return keys
}

// reviewConcurrently posts n reviews at once; each must be answered with an allow.
func reviewConcurrently(t *testing.T, s *servedWebhook, prefix string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			body := deploymentReview(fmt.Sprintf("%s-%d", prefix, i), "shop", fmt.Sprintf("web-%d", i), "p", false)
			resp, err := s.client.Post(s.url, "application/json", strings.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var out struct {
				Response struct{ Allowed bool } `json:"response"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				errs <- fmt.Errorf("review %d: %w", i, err)
			} else if !out.Response.Allowed {
				errs <- fmt.Errorf("review %d: not allowed", i)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
}

// metricValue reads one unlabelled sample from /metrics; -1 when absent.
func metricValue(s *servedWebhook, name string) float64 {
	s.t.Helper()
	for line := range strings.Lines(s.metrics()) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				s.t.Fatal(err)
			}
			return f
		}
	}
	return -1
}

// within polls cond every 100 ms for up to d.
func within(t *testing.T, d time.Duration, what string, cond func() bool, logs fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: never happened in %v; logs:\n%s", what, d, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeArchivesConcurrentReviews: N concurrent reviews reach the archive once their
// segments seal, and the archive alone verifies with N records.
func TestServeArchivesConcurrentReviews(t *testing.T) {
	f := newArchiveFixture(t, "300ms", 0)
	s, stop := f.serve()
	const n = 40
	reviewConcurrently(t, s, "uid", n)
	within(t, 30*time.Second, "the archive holds every review", func() bool {
		v, code := f.verify()
		return code == 0 && admissions(v) == n
	}, s.logs)
	v, _ := f.verify()
	if !v.Intact() || len(v.Chains) != 1 || v.Chains[0].Replica != "r1" {
		t.Fatalf("archive verification: %+v", v)
	}
	for key, count := range f.versions() {
		if !strings.HasPrefix(key, "govhook/r1/") || count != 1 {
			t.Errorf("object %s has %d versions; want one, under govhook/r1/", key, count)
		}
	}
	stop(syscall.SIGTERM)
}

// TestServeArchivesOpenSegmentOnSIGTERM: with segments that would not seal for an hour,
// SIGTERM seals the open one and archives it before the process exits; a restart on the same
// directory continues the chain, which the archive alone verifies.
func TestServeArchivesOpenSegmentOnSIGTERM(t *testing.T) {
	f := newArchiveFixture(t, "1h", 0)
	s, stop := f.serve()
	reviewConcurrently(t, s, "before", 5)
	if keys := f.versions(); len(keys) != 0 {
		t.Fatalf("archive holds %v before any segment sealed", keys)
	}
	stop(syscall.SIGTERM)
	v, code := f.verify()
	if code != 0 || admissions(v) != 5 || v.Chains[0].SinceCheckpoint != 0 {
		t.Fatalf("after SIGTERM the archive holds %d admissions (exit %d, %d records after the last checkpoint); want 5 closed by a checkpoint; logs:\n%s",
			admissions(v), code, v.Chains[0].SinceCheckpoint, s.logs)
	}
	if n := f.localRecords(); n != 0 {
		t.Errorf("%d records left in local segments after the archive confirmed them", n)
	}
	// The closing checkpoint's anchor is archived before the process exits.
	if c := v.Chains[0]; !v.AnchorsChecked || c.AnchoredSeq != c.LastSeq {
		t.Errorf("archive's newest anchor names seq %d, the chain ends at %d; want the closing checkpoint anchored", c.AnchoredSeq, c.LastSeq)
	}
	if keys := f.versions(); keys[fmt.Sprintf("govhook/r1/anchors/%020d.json", v.Chains[0].LastSeq)] != 1 {
		t.Errorf("archive objects %v hold no anchor of the closing checkpoint", keys)
	}

	s, stop = f.serve()
	reviewConcurrently(t, s, "after", 1)
	stop(syscall.SIGTERM)
	v, code = f.verify()
	if code != 0 || admissions(v) != 6 {
		t.Fatalf("after a restart the archive verifies with exit %d and %d admissions, want 0 and 6: %+v", code, admissions(v), v.Breaks)
	}
}

// TestServeArchiveOutage: while the store is down requests are answered, the backlog grows
// and nothing local is deleted; once it is back the backlog drains and the archive verifies.
func TestServeArchiveOutage(t *testing.T) {
	f := newArchiveFixture(t, "200ms", 0)
	s, stop := f.serve()
	f.store.Stop()
	for i := range 5 {
		reviewConcurrently(t, s, fmt.Sprintf("outage-%d", i), 2)
		time.Sleep(300 * time.Millisecond) // let segments seal
	}
	within(t, 30*time.Second, "the backlog metric rises", func() bool {
		return metricValue(s, "govhook_evidence_archive_backlog_segments") >= 2 &&
			metricValue(s, "govhook_evidence_archive_upload_errors_total") >= 1
	}, s.logs)
	if got := metricValue(s, "govhook_evidence_archive_oldest_unarchived_seconds"); got <= 0 {
		t.Errorf("oldest unarchived = %v s during the outage, want > 0", got)
	}
	if got := metricValue(s, "govhook_evidence_local_bytes"); got <= 0 {
		t.Errorf("local bytes = %v during the outage, want > 0", got)
	}
	local, code := f.verify(f.evidenceDir)
	if code != 0 || admissions(local) != 10 {
		t.Fatalf("during the outage the local directory verifies with exit %d and %d admissions, want 0 and 10", code, admissions(local))
	}

	f.store.Restart(t)
	within(t, 90*time.Second, "the backlog drains", func() bool {
		return metricValue(s, "govhook_evidence_archive_backlog_segments") == 0
	}, s.logs)
	v, code := f.verify()
	if code != 0 || admissions(v) != 10 {
		t.Fatalf("after the outage the archive verifies with exit %d and %d admissions, want 0 and 10", code, admissions(v))
	}
	stop(syscall.SIGTERM)
}

// TestServeDiskGuard: with the store down and maxLocalBytes reached, requests get the
// onEvidenceFailure answer (a refusal by default) and evidence_write_errors_total counts them;
// no unarchived segment is deleted.
func TestServeDiskGuard(t *testing.T) {
	f := newArchiveFixture(t, "100ms", 6<<10)
	f.store.Stop()
	s, stop := f.serve()
	refused := 0
	for i := 0; i < 200 && refused == 0; i++ {
		resp := s.review(fmt.Sprintf("guard-%d", i), fmt.Sprintf("web-%d", i), false)
		if !resp.Allowed {
			refused++
			if !strings.Contains(resp.Result.Message, "could not record audit evidence") {
				t.Errorf("refusal message = %q, want the onEvidenceFailure answer", resp.Result.Message)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if refused == 0 {
		t.Fatalf("200 requests never reached maxLocalBytes; logs:\n%s", s.logs)
	}
	if got := metricValue(s, "govhook_evidence_write_errors_total"); got < 1 {
		t.Errorf("govhook_evidence_write_errors_total = %v, want >= 1", got)
	}
	if got := metricValue(s, "govhook_evidence_local_bytes"); got > 8<<10 {
		t.Errorf("local bytes = %v, want about maxLocalBytes (6 KiB)", got)
	}
	local, code := f.verify(f.evidenceDir)
	if code != 0 || admissions(local) == 0 {
		t.Fatalf("the local evidence verifies with exit %d and %d admissions; want intact and kept", code, admissions(local))
	}
	f.store.Restart(t)
	within(t, 90*time.Second, "the backlog drains and requests are admitted again", func() bool {
		return s.review("guard-after", "web-after", false).Allowed
	}, s.logs)
	stop(syscall.SIGTERM)
	v, code := f.verify()
	if code != 0 || admissions(v) != admissions(local)+1 {
		t.Errorf("archive verifies with exit %d and %d admissions, want 0 and %d", code, admissions(v), admissions(local)+1)
	}
}

// TestServeKilledBetweenUploadAndDelete: govhook is killed (SIGKILL) right after a segment is
// confirmed in the archive and before its local copy is deleted; after a restart there is no
// duplicate object and no gap.
func TestServeKilledBetweenUploadAndDelete(t *testing.T) {
	f := newArchiveFixture(t, "300ms", 0)
	s, _ := f.serve(failpointEnv + "=archive-after-upload")
	reviewConcurrently(t, s, "first", 3)
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("the failpoint never killed serve; logs:\n%s", s.logs)
	}
	if !strings.Contains(s.logs.String(), "failpoint: killing the process") {
		t.Fatalf("serve exited, but not at the failpoint; logs:\n%s", s.logs)
	}
	archived := f.versions()
	if len(archived) != 1 || f.localRecords() < 3 {
		t.Fatalf("at the kill: archive %v, %d local records; want one archived segment still held locally", archived, f.localRecords())
	}

	s, stop := f.serve()
	reviewConcurrently(t, s, "second", 2)
	stop(syscall.SIGTERM)
	v, code := f.verify()
	if code != 0 || admissions(v) != 5 {
		t.Fatalf("archive verifies with exit %d and %d admissions, want 0 and 5; breaks %v", code, admissions(v), v.Breaks)
	}
	for key, count := range f.versions() {
		if count != 1 {
			t.Errorf("object %s has %d versions, want 1 (no duplicate upload)", key, count)
		}
	}
	if n := f.localRecords(); n != 0 {
		t.Errorf("%d records left locally after a clean stop", n)
	}
}

// TestEvidenceCommandsReadArchivedAnchors: verify and reconcile take the archive as a PATH;
// verify checks each chain against the archive's newest anchor, so deleting the newest
// local segment before the archive took it is caught with no anchors file.
func TestEvidenceCommandsReadArchivedAnchors(t *testing.T) {
	f := newArchiveFixture(t, "1h", 0)
	archive, err := evidence.OpenArchive(t.Context(), evidence.ArchiveOptions{URL: archiveURL, Endpoint: f.store.Endpoint, Region: s3store.Region})
	if err != nil {
		t.Fatal(err)
	}
	archiver, err := evidence.NewArchiver(evidence.ArchiverOptions{Dir: f.evidenceDir, Replica: "r1", Archive: archive})
	if err != nil {
		t.Fatal(err)
	}
	// 1 start, 2 d1, 3 d2, 4 checkpoint, 5 checkpoint (close), one segment each; all but the
	// open segment 5 archived, the anchors of 4 and 5 too.
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w, err := evidence.Open(t.Context(), evidence.Options{Dir: f.evidenceDir, Replica: "r1", CheckpointInterval: -1, MaxSegmentBytes: 1,
		Now: func() time.Time { return now }, Anchors: []evidence.AnchorSink{archiver}, OnSeal: archiver.Sealed})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"d1", "d2"} {
		if err := w.Record(t.Context(), &evidence.Record{Type: evidence.TypeAdmission, ID: id, Operation: "CREATE", Kind: "v1/Pod", Namespace: "shop", Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := archiver.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	audit := filepath.Join(t.TempDir(), "audit.log")
	var events strings.Builder
	for _, id := range []string{"d1", "d2"} {
		events.WriteString(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a-` + id + `","stage":"ResponseComplete","verb":"create",` +
			`"objectRef":{"resource":"pods","namespace":"shop","name":"` + id + `"},"requestReceivedTimestamp":"2026-03-02T09:00:00Z",` +
			`"stageTimestamp":"2026-03-02T09:00:00Z","annotations":{"validate.govhook.io/decision-id":"` + id + `"}}` + "\n")
	}
	writeFile(t, audit, events.String())
	newest := filepath.Join(f.evidenceDir, "r1", "00000000000000000005.jsonl")
	runCLICases(t, []cliCase{
		{"archive and local tail intact", []string{"evidence", "verify", "--config", f.config, archiveURL, f.evidenceDir}, 0,
			"r1 (s3://evidence/govhook/r1): 5 records in 5 segments, seq 1-5, 2026-03-02T09:00:00Z to 2026-03-02T09:00:00Z, 0 after the last checkpoint, unsigned, " +
				"0 past the newest anchor (seq 5, 2026-03-02T09:00:00Z): intact\nsignatures not checked: no --public-key given\nevidence intact: 1 chains, 5 records\n", ""},
		{"anchor status in the report", []string{"evidence", "report", "-o", "md", "--config", f.config, archiveURL, f.evidenceDir}, 0,
			"| unsigned | reaches seq 5 (2026-03-02T09:00:00Z), 0 past it | 0 |", ""},
		{"reconcile the archive", []string{"evidence", "reconcile", "--config", f.config, "--audit-log", audit, archiveURL}, 0,
			"2 decision ids in the audit log (2026-03-02T09:00:00Z to 2026-03-02T09:00:00Z): 2 with an evidence record, 0 missing", ""},
		{"reconcile needs the archive's endpoint", []string{"evidence", "reconcile", "--config", filepath.Join(t.TempDir(), "none.yaml"), "--audit-log", audit, archiveURL}, 2,
			"", "none.yaml"},
	})
	if err := os.Remove(newest); err != nil {
		t.Fatal(err)
	}
	runCLICases(t, []cliCase{
		{"newest segment deleted", []string{"evidence", "verify", "--config", f.config, archiveURL, f.evidenceDir}, 1,
			"s3://evidence/govhook/r1: the chain ends at seq 4, but the newest anchor names seq 5 (2026-03-02T09:00:00Z): record 5 is missing at the end (tail cut or newest segment deleted)\n" +
				"r1 (s3://evidence/govhook/r1): 4 records in 4 segments, seq 1-4, 2026-03-02T09:00:00Z to 2026-03-02T09:00:00Z, 0 after the last checkpoint, unsigned, " +
				"short of the newest anchor (seq 5): BROKEN (1 breaks)\n", ""},
		// Every anchor of 2026-03-02 is within a grace of 100,000 hours.
		{"newest segment deleted, within the grace", []string{"evidence", "verify", "--config", f.config, "--anchor-grace", "100000h", archiveURL, f.evidenceDir}, 0,
			"0 after the last checkpoint, unsigned, no anchor; the newest anchor (seq 5) is ahead, within the grace: intact\n", ""},
	})
}
