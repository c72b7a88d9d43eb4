package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/evidence"
)

// TestServeSIGTERMAnswersRequestsInFlight reproduces issue 16 row 4 on the real process: on
// SIGTERM the requests in flight were refused with `code 500, eval_cancel_error` and recorded
// as errors. When serve gets SIGTERM, half of N requests have sent their headers and all of
// their body but the last byte (in flight across the signal), and the other half have only
// opened their connection (accepted, request not sent yet: net/http used to close those
// unanswered once Shutdown began). Only once serve logs that it drains are the requests
// completed. All N get their real decision, the evidence holds N decision records and no
// error, and the process exits cleanly.
func TestServeSIGTERMAnswersRequestsInFlight(t *testing.T) {
	const n = 20
	s, cmd := launchServe(t, filepath.Join(t.TempDir(), "evidence"), nil)
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	tlsConfig := s.client.Transport.(*http.Transport).TLSClientConfig.Clone()
	tlsConfig.ServerName = u.Hostname()

	type request struct {
		conn *tls.Conn
		rest string
	}
	reqs := make([]request, n)
	for i := range reqs {
		body := deploymentReview(fmt.Sprintf("drain-%d", i), "shop", fmt.Sprintf("web-%d", i), "p", i%2 == 0)
		conn, err := tls.Dial("tcp", u.Host, tlsConfig)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", u.Path, u.Host, len(body))
		sent := 0 // connected only
		if i < n/2 {
			sent = len(head) + len(body) - 1 // all but the last byte
		}
		msg := head + body
		if _, err := io.WriteString(conn, msg[:sent]); err != nil {
			t.Fatal(err)
		}
		reqs[i] = request{conn: conn, rest: msg[sent:]}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	eventually(t, "serve drains on SIGTERM", func() bool {
		return strings.Contains(s.logs.String(), "draining requests in flight")
	}, s.logs)

	for i, r := range reqs {
		if _, err := io.WriteString(r.conn, r.rest); err != nil {
			t.Fatalf("request %d: finish it after SIGTERM: %v", i, err)
		}
	}
	for i, r := range reqs {
		_ = r.conn.SetReadDeadline(time.Now().Add(time.Minute)) // a guard against a hang
		resp, err := http.ReadResponse(bufio.NewReader(r.conn), nil)
		if err != nil {
			t.Errorf("request %d: no answer after SIGTERM: %v", i, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var review admissionv1.AdmissionReview
		if err := json.Unmarshal(body, &review); err != nil || review.Response == nil {
			t.Errorf("request %d: HTTP %d, not a review: %s", i, resp.StatusCode, body)
			continue
		}
		got := review.Response
		privileged := i%2 == 0
		switch {
		case string(got.UID) != fmt.Sprintf("drain-%d", i):
			t.Errorf("request %d: answer for uid %q", i, got.UID)
		case privileged && (got.Allowed || got.Result == nil || got.Result.Code != http.StatusForbidden || !strings.Contains(got.Result.Message, "[POD-001]")):
			t.Errorf("request %d (privileged): %+v, want the POD-001 denial", i, got)
		case !privileged && !got.Allowed:
			t.Errorf("request %d (compliant): %+v, want allowed", i, got)
		}
	}

	exitsCleanly(t, s, cmd)

	decisions := map[string]int{}
	v, err := evidence.Verify(t.Context(), []string{s.evidenceDir}, evidence.VerifyOptions{Visit: func(e evidence.Entry) {
		if e.Record.Type == evidence.TypeAdmission && strings.HasPrefix(e.Record.UID, "drain-") {
			decisions[string(e.Record.Decision)]++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Intact() {
		t.Errorf("evidence is not intact: %v", v.Breaks)
	}
	if want := map[string]int{"allow": n / 2, "deny": n / 2}; fmt.Sprint(decisions) != fmt.Sprint(want) {
		t.Errorf("evidence decisions = %v, want %v and no error", decisions, want)
	}
}

// TestServeWithAStuckStdout reproduces issue 16 row 7: with --evidence-stdout into a pipe
// nobody reads, the group commit hung, requests timed out, /readyz said 200 and SIGTERM could
// not stop the process. Now every request is answered, the mirror drops and counts what does
// not fit, the chain names what it dropped, and SIGTERM stops the process.
func TestServeWithAStuckStdout(t *testing.T) {
	stuck, pipe, err := os.Pipe() // nobody reads stuck
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stuck.Close() })
	s, cmd := launchServeTo(t, pipe, filepath.Join(t.TempDir(), "evidence"), nil, "--evidence-stdout", "--evidence-stdout-buffer", "65536")
	pipe.Close() // the process holds its own end
	// More lines than the pipe (64 KiB) and the mirror's buffer (64 KiB) hold.
	const batches, perBatch = 20, 20
	for b := range batches {
		reviewConcurrently(t, s, fmt.Sprintf("stuck-%d", b), perBatch)
	}
	if got := metricValue(s, "govhook_evidence_mirror_dropped_total"); got <= 0 {
		t.Errorf("govhook_evidence_mirror_dropped_total = %v, want the lines the stuck stdout could not take", got)
	}
	resp, err := http.Get("http://" + s.metricsAddr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz = %d with a stuck stdout, want 200: the evidence files take every record", resp.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exitsCleanly(t, s, cmd)
	var losses []evidence.MirrorLoss
	v, err := evidence.Verify(t.Context(), []string{s.evidenceDir}, evidence.VerifyOptions{Visit: func(e evidence.Entry) {
		if e.Record.Type == evidence.TypeMirrorLoss {
			losses = append(losses, *e.Record.MirrorLoss)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Intact() || admissions(v) != batches*perBatch {
		t.Errorf("evidence: intact=%v, %d admissions, want intact with %d; breaks: %v", v.Intact(), admissions(v), batches*perBatch, v.Breaks)
	}
	if len(losses) == 0 || losses[0].Records == 0 || losses[0].FromSeq == 0 {
		t.Errorf("mirror-loss records = %+v, want one naming the records dropped", losses)
	}
}

// exitsCleanly waits for serve, told to stop, to exit with status 0.
func exitsCleanly(t *testing.T, s *servedWebhook, cmd *exec.Cmd) {
	t.Helper()
	select {
	case <-s.exited:
	case <-time.After(time.Minute): // a guard against a hang
		t.Fatalf("serve did not exit after SIGTERM; logs:\n%s", s.logs)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("serve exited %d after SIGTERM, want 0; logs:\n%s", code, s.logs)
	}
}
