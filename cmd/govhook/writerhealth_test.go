package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/govhook/govhook/evidence"
)

// TestServeNotReadyWhileEvidenceCannotBeWritten reproduces issue 16 row 7 on the real
// process: with the evidence writer failing (`ulimit -f`), every request got 500 while
// /readyz said 200, and each retry made a new quarantine file. Now /readyz answers 503 naming
// the write error while the limit holds, 200 once it is lifted, and the torn tail has one
// quarantine file however many retries failed.
func TestServeNotReadyWhileEvidenceCannotBeWritten(t *testing.T) {
	s, cmd := launchServe(t, filepath.Join(t.TempDir(), "evidence"), nil)
	if r := s.review("health-1", "web-1", false); !r.Allowed {
		t.Fatalf("first review: %+v, want allowed", r)
	}
	segments, _ := filepath.Glob(filepath.Join(s.evidenceDir, "r1", "*.jsonl"))
	if len(segments) == 0 {
		t.Fatal("no evidence segment")
	}
	st, err := os.Stat(segments[len(segments)-1])
	if err != nil {
		t.Fatal(err)
	}
	// The file size limit of the running process: room for part of one more record.
	setFileSizeLimit(t, cmd.Process.Pid, uint64(st.Size())+300)

	if r := s.review("health-2", "web-2", false); r.Allowed {
		t.Errorf("review while evidence cannot be written: %+v, want refused (onEvidenceFailure: deny)", r)
	}
	readyz := func() (int, string) {
		resp, err := http.Get("http://" + s.metricsAddr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// Each probe after the retry interval retries the writer, which tears the segment again.
	for range 3 {
		time.Sleep(evidence.DefaultRetryInterval + 100*time.Millisecond) // let a retry come due
		if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "[-]evidence failed:") || !strings.Contains(body, "file too large") {
			t.Fatalf("/readyz while evidence cannot be written: %d\n%s\nwant 503 naming the write error", code, body)
		}
	}

	setFileSizeLimit(t, cmd.Process.Pid, unix.RLIM_INFINITY)
	eventually(t, "/readyz passes once evidence can be written", func() bool {
		code, _ := readyz()
		return code == http.StatusOK
	}, s.logs)
	if r := s.review("health-3", "web-3", false); !r.Allowed {
		t.Errorf("review after the limit was lifted: %+v, want allowed", r)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exitsCleanly(t, s, cmd)

	quarantines, _ := filepath.Glob(filepath.Join(s.evidenceDir, "r1", "*.torn-*"))
	if len(quarantines) != 1 {
		t.Errorf("quarantine files = %v, want one for the one torn tail", quarantines)
	}
	var lost uint64
	v, err := evidence.Verify(t.Context(), []string{s.evidenceDir}, evidence.VerifyOptions{Visit: func(e evidence.Entry) {
		if e.Record.Type == evidence.TypeRecovery {
			lost += e.Record.Recovery.Lost
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Intact() || lost == 0 {
		t.Errorf("evidence intact=%v with %d records counted lost, want intact and health-2 counted; breaks: %v", v.Intact(), lost, v.Breaks)
	}
}

// setFileSizeLimit sets RLIMIT_FSIZE (`ulimit -f`) of process pid.
func setFileSizeLimit(t *testing.T, pid int, limit uint64) {
	t.Helper()
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: limit, Max: unix.RLIM_INFINITY}, nil); err != nil {
		t.Fatalf("set the file size limit of serve: %v", err)
	}
}
